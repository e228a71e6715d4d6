"""Reading the audit trail: administrators and district centre staff only.

The trail holds every audited column, personal data included, of every area: it is for the
people who answer for the whole district's records, not for everyone who sees the whole map.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from core.errors import ApplicationError, PermissionDenied
from people.models import Role
from people.scope import scope_for

from .context import AUDITED_TABLES
from .models import Change

MAX_CHANGES = 500
TRAIL_READER_ROLES = (Role.ADMIN, Role.DISTRICT_STAFF)


def may_read_trail(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = scope_for(user).staff
    return staff is not None and staff.has_role(*TRAIL_READER_ROLES)


def change_list(*, user, table: str = "", row: str = "") -> QuerySet[Change]:
    """The newest changes (at most MAX_CHANGES), of one table or one row if given.

    Newest means last written: ids follow the order of the writes, while `at` is the start of
    each writing transaction. Each change carries `actor_username` (None if the user is gone).
    """
    if not may_read_trail(user):
        raise PermissionDenied("permission_denied", _("You may not read the audit trail."))
    rows = Change.objects.all()
    if table:
        if table not in AUDITED_TABLES:
            raise ApplicationError(
                "unknown_table",
                _("%(table)s is not an audited table.") % {"table": table},
                details={"table": table, "tables": list(AUDITED_TABLES)},
            )
        rows = rows.filter(table_name=table)
    if row:
        if not table:
            raise ApplicationError("table_required", _("Give the table of the row too."))
        rows = rows.filter(row_id=row)
    usernames = get_user_model().objects.filter(pk=OuterRef("actor_id")).values("username")
    return rows.annotate(actor_username=Subquery(usernames)).order_by("-id")[:MAX_CHANGES]
