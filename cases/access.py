"""Who may see a case and who may act on it: one module, asked by selectors and actions.

- the responsible agent (首问负责) and whoever opened the case;
- managers of the case's station area (station manager, street/town centre staff and leads
  above it, district staff, administrators): everything an agent may do;
- the approval window side — staff of the item's window, or street/town centre staff on their
  behalf — records the window steps; window staff see only matters forwarded to their window;
- administrators, district staff and supervisors read everything (supervisors only read).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from people.models import Role
from people.scope import scope_for

from .models import Case, Status

# states in which a matter has been passed to its approval window
AT_OR_AFTER_WINDOW = (
    Status.FORWARDED,
    Status.AT_WINDOW,
    Status.RESULT_READY,
    Status.REFUSED,
    Status.COLLECTED,
    Status.RETURNED,
    Status.CLOSED,
)
WINDOW_PROXY_ROLES = (Role.CENTRE_STAFF, Role.CENTRE_LEAD, Role.DISTRICT_STAFF, Role.ADMIN)


def visible_cases(user, qs: QuerySet) -> QuerySet:
    if user is None or not user.is_authenticated:
        return qs.none()
    scope = scope_for(user)
    if scope.everything:
        return qs
    visible = Q(pk__in=[])
    if scope.managed_area_ids:
        visible |= Q(centre__area_id__in=scope.managed_area_ids)
    staff = scope.staff
    if staff is not None:
        visible |= Q(responsible=staff) | Q(opened_by=user)
        if staff.has_role(Role.WINDOW_STAFF) and staff.window:
            visible |= Q(window__code=staff.window, status__in=AT_OR_AFTER_WINDOW)
    return qs.filter(visible)


def is_responsible(user, case: Case) -> bool:
    staff = scope_for(user).staff
    return staff is not None and case.responsible_id == staff.pk


def manages_case(user, case: Case) -> bool:
    return scope_for(user).manages_area(case.centre.area_id)


def handles(user, case: Case) -> bool:
    """The agent's side: the responsible person or a manager of the station."""
    return is_responsible(user, case) or manages_case(user, case)


def window_side(user, case: Case) -> bool:
    """The approval window's side: its own staff, or street/town centre staff on its behalf."""
    scope = scope_for(user)
    staff = scope.staff
    if (
        staff is not None
        and staff.has_role(Role.WINDOW_STAFF)
        and case.window_id is not None
        and staff.window == case.window.code
    ):
        return True
    proxy = user.is_superuser or (staff is not None and staff.has_role(*WINDOW_PROXY_ROLES))
    return proxy and manages_case(user, case)


def handles_or_window(user, case: Case) -> bool:
    return handles(user, case) or window_side(user, case)
