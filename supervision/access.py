"""Who may read and do what in supervision: one module, asked by selectors and services.

- figures and assessment scores: administrators, district staff and supervisors for the whole
  district; station managers and street/town centre staff and leads for the areas they
  manage; an agent for themselves only (level `agent`); nobody else;
- assessment schemes and notice rules are defined, and notices reviewed (issued or
  dismissed), by district staff and administrators only (the plan: the district centre sets
  the supervision and assessment rules);
- inspections (督导检查) are recorded by supervisors, district staff and administrators for any
  centre, and by a street/town centre lead for the stations of their street (the plan: each
  street names a leading member for inspection); inspections and notices are read by whoever
  reads the figures of their area, agents excepted.

Out of scope looks like missing (404 with the `unknown_*` code); in scope without the right
is 403 `permission_denied`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import NotFound, PermissionDenied
from geo.models import Area, ServiceCentre
from geo.selectors import area_ids_below
from geo.services import area_get
from people.models import Role, Staff
from people.scope import AREA_ROLES, scope_for

DEFINE_ROLES = (Role.ADMIN, Role.DISTRICT_STAFF)
INSPECT_ROLES = (Role.ADMIN, Role.DISTRICT_STAFF, Role.SUPERVISOR)


@dataclass(frozen=True)
class Reach:
    """What figures a requester reads: everything (area_ids None), some areas, or only
    themselves (an agent)."""

    staff: Staff | None
    area_ids: frozenset[int] | None
    own_staff_id: int | None = None

    def sees_area(self, area_id: int) -> bool:
        return self.area_ids is None or area_id in self.area_ids


def _denied(message: str) -> PermissionDenied:
    return PermissionDenied("permission_denied", message)


def reach_for(user) -> Reach:
    """The requester's reach over figures, or 403 when they may read none."""
    scope = scope_for(user)
    if scope.everything:
        return Reach(staff=scope.staff, area_ids=None)
    staff = scope.staff
    if staff is not None and staff.has_role(*AREA_ROLES) and scope.managed_area_ids:
        return Reach(staff=staff, area_ids=scope.managed_area_ids)
    if staff is not None and staff.has_role(Role.AGENT):
        return Reach(staff=staff, area_ids=frozenset(scope.area_ids), own_staff_id=staff.pk)
    raise _denied(_("You may not read the supervision figures."))


def area_in_reach(reach: Reach, code: str) -> Area:
    """The area with this division code, if the requester may ask about it (404 otherwise)."""
    area = area_get(code=code)
    if not reach.sees_area(area.pk):
        raise NotFound(
            "unknown_area",
            _("No area with code %(code)s.") % {"code": code},
            details={"code": code},
        )
    return area


def within(reach: Reach, area: Area | None) -> set[int] | None:
    """Area ids a query may cover: the reach, narrowed to the area and what lies below it
    (None: no limit)."""
    below = area_ids_below({area.pk}) if area is not None else None
    if reach.area_ids is None:
        return below
    return set(reach.area_ids) if below is None else below & set(reach.area_ids)


def defines(user) -> bool:
    """District staff and administrators define schemes and rules and review notices."""
    scope = scope_for(user)
    if user is not None and getattr(user, "is_superuser", False):
        return True
    return scope.staff is not None and scope.staff.has_role(*DEFINE_ROLES)


def require_definer(user, what: str) -> None:
    if not defines(user):
        raise _denied(_("Only district staff and administrators may %(what)s.") % {"what": what})


def supervisory_reach(user) -> Reach:
    """Reach over inspections and notices: the figures' reach without the agents'."""
    reach = reach_for(user)
    if reach.own_staff_id is not None:
        raise _denied(_("Agents do not read inspections or notices."))
    return reach


def visible_centre(user, code: str) -> ServiceCentre:
    """A centre the requester reads, by its area's division code (404 otherwise)."""
    reach = supervisory_reach(user)
    try:
        area = area_in_reach(reach, code)
    except NotFound:
        area = None
    centre = (
        ServiceCentre.objects.select_related("area").filter(area=area).first() if area else None
    )
    if centre is None or area.level == Area.Level.DISTRICT:
        raise NotFound(
            "unknown_centre",
            _("No street/town centre or station with code %(code)s.") % {"code": code},
            details={"code": code},
        )
    return centre


def may_inspect(user, centre: ServiceCentre) -> bool:
    scope = scope_for(user)
    if user is not None and getattr(user, "is_superuser", False):
        return True
    staff = scope.staff
    if staff is None:
        return False
    if staff.has_role(*INSPECT_ROLES):
        return True
    # a street/town centre lead inspects the stations below their centre, not their own
    return (
        staff.has_role(Role.CENTRE_LEAD)
        and staff.centre is not None
        and centre.area_id != staff.centre.area_id
        and centre.area_id in scope.managed_area_ids
    )
