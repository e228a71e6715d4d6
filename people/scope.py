"""What a requester may see and change. Every query of people's data starts here, and the
spatial core's API asks here too (through settings.GEO_ACCESS_POLICY), so one module decides
who sees which areas, grids and staff.

- administrators, district centre staff, supervisors: the whole district;
- street/town centre staff and leads: their street or town and everything in it;
- station managers: their community or village;
- agents: the grids assigned to them today, their station's area, their own work;
- approval-window staff: no areas or grids (the matters forwarded to their window, later).

Out of scope looks exactly like missing: callers answer 404 for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.db import connection, connections, router
from django.db.models import Q, QuerySet
from django.utils import timezone

from core import rows
from geo.models import ServiceCentre

from .models import GridAssignment, Role, Staff

EVERYTHING_ROLES = {Role.ADMIN, Role.DISTRICT_STAFF, Role.SUPERVISOR}
AREA_ROLES = {Role.CENTRE_STAFF, Role.CENTRE_LEAD, Role.STATION_MANAGER}
# who may change grids, assignments, the rota and leave in their area (supervisors only read)
# who may upload boundary files that replace areas and grids anywhere (geo.uploads)
IMPORTER_ROLES = (Role.ADMIN, Role.DISTRICT_STAFF)
EDITOR_ROLES = {
    Role.ADMIN,
    Role.DISTRICT_STAFF,
    Role.CENTRE_LEAD,
    Role.CENTRE_STAFF,
    Role.STATION_MANAGER,
}


@dataclass(frozen=True)
class Scope:
    staff: Staff | None
    everything: bool = False
    editor: bool = False
    area_ids: frozenset[int] = field(default_factory=frozenset)  # visible areas
    managed_area_ids: frozenset[int] = field(default_factory=frozenset)  # areas it manages
    own_grid_ids: frozenset[int] = field(default_factory=frozenset)  # an agent's grids

    # --- reads -------------------------------------------------------------------------
    def areas(self, qs: QuerySet) -> QuerySet:
        return qs if self.everything else qs.filter(pk__in=self.area_ids)

    def grids(self, qs: QuerySet) -> QuerySet:
        if self.everything:
            return qs
        return qs.filter(Q(community_id__in=self.managed_area_ids) | Q(pk__in=self.own_grid_ids))

    def staff_members(self, qs: QuerySet) -> QuerySet:
        if self.everything:
            return qs
        visible = Q(centre__area_id__in=self.managed_area_ids)
        if self.staff is not None:
            visible |= Q(pk=self.staff.pk)
            if self.staff.centre_id:
                visible |= Q(centre_id=self.staff.centre_id)  # colleagues at one's station
        return qs.filter(visible)

    def sees_area(self, area_id: int) -> bool:
        return self.everything or area_id in self.area_ids

    # --- writes ------------------------------------------------------------------------
    def manages_area(self, area_id: int) -> bool:
        return self.editor and (self.everything or area_id in self.managed_area_ids)

    def manages_staff(self, staff: Staff) -> bool:
        if not self.editor:
            return False
        if self.everything:
            return True
        return staff.centre is not None and staff.centre.area_id in self.managed_area_ids

    def reads_positions_of(self, staff: Staff) -> bool:
        """Movement tracks are personal information: the agent and their managers only."""
        if self.staff is not None and self.staff.pk == staff.pk:
            return True
        if self.staff is not None and self.staff.has_role(Role.ADMIN):
            return True
        if self.staff is None or not self.staff.has_role(*AREA_ROLES):
            return False
        return staff.centre is not None and staff.centre.area_id in self.managed_area_ids

    def reads_leave_reasons_of(self, staff: Staff) -> bool:
        """Why someone is away (病假…) is health information, sensitive under PIPL art. 28: the
        person, whoever manages them (may record their leave) and administrators. Colleagues see
        when a person is away, never why."""
        if self.staff is not None and self.staff.pk == staff.pk:
            return True
        return self.manages_staff(staff)


NOBODY = Scope(staff=None)


def scope_for(user) -> Scope:
    """The requester's scope, computed once per request object."""
    cached = getattr(user, "_people_scope", None)
    if cached is not None:
        return cached
    scope = _compute(user, _active_staff(user.pk) if _signed_in(user) else None)
    if _signed_in(user):
        user._people_scope = scope
    return scope


def scope_with_staff(user, staff: Staff | None) -> Scope:
    """`scope_for` when the caller has already read the user's active staff record with
    `staff_select()` in its own statement (the tile path reads it with the token): the same
    scope, one query fewer."""
    cached = getattr(user, "_people_scope", None)
    if cached is not None:
        return cached
    scope = _compute(user, staff)
    if _signed_in(user):
        user._people_scope = scope
    return scope


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


@cache
def staff_select(user_id_sql: str) -> tuple[str, list]:
    """SQL selecting the active staff record of the user `user_id_sql` names, with its centre
    (at most one row: one staff record per user), and the parts `staff_from_row` reads back."""
    staff_fields, staff_columns = rows.columns(Staff, "s", skip=("last_position",))
    centre_fields, centre_columns = rows.columns(ServiceCentre, "c", skip=("location",))
    sql = (
        f"SELECT {staff_columns}, {centre_columns} FROM people_staff s "
        "LEFT JOIN geo_servicecentre c ON c.id = s.centre_id "
        f"WHERE s.user_id = {user_id_sql} AND s.active"
    )
    return sql, [(Staff, staff_fields), (ServiceCentre, centre_fields)]


def staff_from_row(row, parts) -> Staff | None:
    """The staff record (with its centre) from a row of `staff_select`'s columns; None for a
    row of NULLs (no active staff record)."""
    staff_part = parts[0]
    if row is None or row[[f.name for f in staff_part[1]].index("id")] is None:
        return None
    staff, centre = rows.split(row, *parts)
    if staff.centre_id is not None:
        staff.centre = centre
    return staff


def _active_staff(user_id: int) -> Staff | None:
    """The user's active staff record with its centre, in one plain query (every request asks);
    positions and the centre's location are left deferred: no scope decision reads them."""
    sql, parts = staff_select("%s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    return staff_from_row(row, parts)


def _area_sets(roots: set[int], reach: set[int]) -> tuple[set[int], set[int]]:
    """What a scope manages (`roots` and every area below them) and sees (`reach`, every area
    below and above it), in one statement: geo.selectors' area_ids_below(roots) and
    area_ids_below(reach) | area_ids_above(reach), without three round trips (ADR 0036)."""
    if not reach:
        return set(), set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE down AS (
                SELECT id, id = ANY(%(roots)s) AS managed FROM geo_area WHERE id = ANY(%(reach)s)
                UNION
                SELECT a.id, d.managed FROM geo_area a JOIN down d ON a.parent_id = d.id
            ), up AS (
                SELECT id, parent_id FROM geo_area WHERE id = ANY(%(reach)s)
                UNION
                SELECT a.id, a.parent_id FROM geo_area a JOIN up u ON a.id = u.parent_id
            )
            SELECT id, managed FROM down UNION ALL SELECT id, false FROM up
            """,
            {"roots": list(roots), "reach": list(reach)},
        )
        found = cursor.fetchall()
    return {i for i, managed in found if managed}, {i for i, _managed in found}


def _compute(user, staff: Staff | None) -> Scope:
    if user is None or not user.is_authenticated:
        return NOBODY
    if user.is_superuser:
        return Scope(staff=staff, everything=True, editor=True)
    if staff is None:
        return NOBODY
    roles = set(staff.roles)
    editor = bool(roles & EDITOR_ROLES)
    if roles & EVERYTHING_ROLES:
        return Scope(staff=staff, everything=True, editor=editor)
    roots: set[int] = set()
    if roles & AREA_ROLES and staff.centre is not None:
        roots.add(staff.centre.area_id)
    own_grids: set[int] = set()
    agent_areas: set[int] = set()
    if Role.AGENT in roles:
        today = timezone.localdate()
        # where the ORM would read them: a caught-up replica on a routed GET (ADR 0031)
        with connections[router.db_for_read(GridAssignment)].cursor() as cursor:
            cursor.execute(
                "SELECT ga.grid_id, g.community_id FROM people_gridassignment ga "
                "JOIN geo_grid g ON g.id = ga.grid_id "
                "WHERE ga.staff_id = %s AND ga.valid_from <= %s "
                "AND (ga.valid_to IS NULL OR ga.valid_to > %s) AND g.retired_at IS NULL",
                [staff.pk, today, today],
            )
            for grid_id, community_id in cursor.fetchall():
                own_grids.add(grid_id)
                agent_areas.add(community_id)
        if staff.centre is not None:
            agent_areas.add(staff.centre.area_id)
    managed, visible = _area_sets(roots, roots | agent_areas)
    return Scope(
        staff=staff,
        editor=editor and bool(roots),
        area_ids=frozenset(visible),
        managed_area_ids=frozenset(managed),
        own_grid_ids=frozenset(own_grids),
    )


class PeopleGeoPolicy:
    """The spatial core's access policy (settings.GEO_ACCESS_POLICY) backed by these scopes."""

    def areas(self, user, qs):
        return scope_for(user).areas(qs)

    def grids(self, user, qs):
        return scope_for(user).grids(qs)

    def may_edit_grids_in(self, user, community) -> bool:
        return scope_for(user).manages_area(community.pk)

    def managed_area_ids(self, user) -> frozenset[int] | None:
        scope = scope_for(user)
        if not scope.editor:
            return frozenset()
        return None if scope.everything else scope.managed_area_ids

    def may_import_boundaries(self, user) -> bool:
        """Boundary files (/map/boundaries/): district centre staff and administrators."""
        if getattr(user, "is_superuser", False):
            return True
        staff = scope_for(user).staff
        return staff is not None and staff.has_role(*IMPORTER_ROLES)
