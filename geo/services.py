"""Writes to the spatial core. Every path (API, admin, import command) calls these.

Grid writes in one community are serialised by locking the community's row, so two concurrent
edits cannot both pass the overlap rule and then overlap. Boundaries are never overwritten:
an edit closes the current version and adds the next.

Every change of a grid row makes its `revision` one larger. An edit given `expected_revision`
(the API's If-Match) compares it under the grid's row lock, so of two editors who read the same
revision exactly one saves; the other gets 412 `stale_version`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied

from . import access, hooks, rules
from .geometry import POLYGONAL, check_geometry
from .models import Area, AreaPart, Grid, GridBoundary

GRID_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def normalise_area_code(code: str) -> str:
    """6-, 9- or 12-digit statistical division code → the 12-digit form (zero-padded)."""
    code = str(code).strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise ApplicationError(
            "invalid_area_code",
            _("%(code)r is not a statistical division code (6, 9 or 12 digits).") % {"code": code},
            details={"code": code},
        )
    return code.ljust(12, "0")


def area_get(*, code: str) -> Area:
    try:
        return Area.objects.get(code=normalise_area_code(code))
    except (Area.DoesNotExist, ApplicationError):
        raise NotFound(
            "unknown_area",
            _("No area with code %(code)s.") % {"code": code},
            details={"code": code},
        ) from None


def _as_multipolygon(geom: GEOSGeometry, where: str = "boundary") -> MultiPolygon:
    """Every geometry rule of geo.geometry, on whatever path the geometry came."""
    return check_geometry(geom, allowed=POLYGONAL, where=where)


def _refresh_area_parts(area: Area) -> None:
    AreaPart.objects.filter(area=area).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO geo_areapart (area_id, geom)
            SELECT a.id, (ST_Dump(ST_Subdivide(a.boundary, 256))).geom
            FROM geo_area a WHERE a.id = %s
            """,
            [area.pk],
        )


@transaction.atomic
def area_upsert(
    *,
    code: str,
    name: str,
    level: str,
    kind: str,
    parent: Area | None,
    boundary: GEOSGeometry,
    source: str = "",
) -> Area:
    """Create an area, or replace the name and boundary of the one with this code."""
    code = normalise_area_code(code)
    rules.check_parent_level(level=level, kind=kind, parent=parent)
    boundary = _as_multipolygon(boundary)
    if parent is not None:
        rules.check_inside_parent(boundary, parent, what=_("area %(name)s") % {"name": name})
    area, _created = Area.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "kind": kind,
            "parent": parent,
            "boundary": boundary,
            "boundary_source": source,
        },
    )
    _refresh_area_parts(area)
    return area


def _lock_community(community: Area) -> Area:
    if community.level != Area.Level.COMMUNITY:
        raise ApplicationError(
            "not_a_community",
            _("Grids belong to a community or village; %(name)s is a %(level)s.")
            % {"name": community.name, "level": community.get_level_display()},
            details={"area": community.code, "level": community.level},
        )
    return Area.objects.select_for_update().get(pk=community.pk)


def _next_grid_code(community: Area) -> str:
    n = Grid.objects.filter(community=community).count() + 1
    while Grid.objects.filter(code=f"{community.code}-{n:02d}").exists():
        n += 1
    return f"{community.code}-{n:02d}"


def _check_new_code(code: str) -> None:
    if not GRID_CODE.match(code):
        raise ApplicationError(
            "invalid_grid_code",
            _("Grid code %(code)r may hold only letters, digits, '-' and '_' (up to 32).")
            % {"code": code},
            details={"code": code},
        )
    if Grid.objects.filter(code=code).exists():
        raise Conflict(
            "grid_code_taken",
            _("Grid code %(code)s is already used; codes are never reused.") % {"code": code},
            details={"code": code},
        )


def _check_grid_geometry(
    boundary: GEOSGeometry, community: Area, *, exclude: Iterable[int] = (), label: str = ""
) -> MultiPolygon:
    boundary = _as_multipolygon(boundary)
    rules.check_inside_parent(boundary, community, what=label or _("grid"))
    rules.check_no_grid_overlap(boundary, community, exclude_grid_ids=exclude)
    return boundary


def _grid_insert(
    *,
    community: Area,
    code: str | None,
    name: str,
    boundary: MultiPolygon,
    actor,
    at: datetime,
    note: str,
    predecessors: Sequence[Grid] = (),
) -> Grid:
    code = code or _next_grid_code(community)
    _check_new_code(code)
    grid = Grid.objects.create(
        code=code, name=name, community=community, boundary=boundary, created_at=at
    )
    if predecessors:
        grid.predecessors.set(predecessors)
    GridBoundary.objects.create(
        grid=grid, version=1, geom=boundary, valid_from=at, created_by=actor, note=note
    )
    return grid


@transaction.atomic
def grid_create(
    *,
    community: Area,
    name: str,
    boundary: GEOSGeometry,
    code: str | None = None,
    actor=None,
    at: datetime | None = None,
    note: str = "",
) -> Grid:
    """A new grid inside `community`: inside it, overlapping none of its grids."""
    at = at or timezone.now()
    community = _lock_community(community)
    boundary = _check_grid_geometry(boundary, community)
    return _grid_insert(
        community=community, code=code, name=name, boundary=boundary, actor=actor, at=at, note=note
    )


class VersionMismatch(ApplicationError):
    """The grid changed since the editor read it (HTTP 412 Precondition Failed)."""

    status = 412


def _lock_active_grid(grid: Grid, expected_revision: int | None = None) -> Grid:
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    if not grid.active:
        raise Conflict(
            "grid_retired",
            _("Grid %(code)s was retired and cannot change.") % {"code": grid.code},
            details={"code": grid.code},
        )
    if expected_revision is not None and expected_revision != grid.revision:
        raise VersionMismatch(
            "stale_version",
            _(
                "Grid %(code)s was changed by someone else (you edited version %(expected)d, "
                "it is now at version %(current)d); load it again and redo your edit."
            )
            % {"code": grid.code, "expected": expected_revision, "current": grid.revision},
            details={
                "grid": grid.code,
                "expected_version": expected_revision,
                "current_version": grid.revision,
                "etag": f'"{grid.revision}"',
            },
        )
    return grid


def _save(grid: Grid, fields: list[str]) -> None:
    """Write changed fields of a grid and count one more revision."""
    grid.revision += 1
    grid.save(update_fields=[*fields, "revision"])


def _close_current_boundary(grid: Grid, at: datetime) -> GridBoundary:
    current = GridBoundary.objects.select_for_update().get(grid=grid, valid_to__isnull=True)
    current.valid_to = at
    current.save(update_fields=["valid_to"])
    return current


def _reach_check(grid: Grid, old: GEOSGeometry, new: GEOSGeometry, actor) -> None:
    """An actor's edit may change only what it manages; beyond that it is a proposal."""
    if actor is None:
        return
    managed = access.policy().managed_area_ids(actor)
    if managed is None:
        return
    reach = rules.edit_reach(old, new, grid=grid, managed_area_ids=managed)
    if reach is not None:
        raise OutsideManagedArea(reach, revision=grid.revision, before=old, after=new)


class OutsideManagedArea(PermissionDenied):
    """The edit reaches outside the editor's managed area: geo.proposals stores it instead,
    with the revision and boundaries it was checked against (under the grid's lock)."""

    def __init__(
        self, reach: dict, *, revision: int, before: GEOSGeometry, after: GEOSGeometry
    ) -> None:
        self.reach = reach
        self.revision, self.before, self.after = revision, before, after
        super().__init__(
            "outside_managed_area",
            _(
                "This change reaches outside the areas you manage (%(reason)s); "
                "it needs someone who manages both sides."
            )
            % {"reason": reach["reason_message"]},
            details={k: v for k, v in reach.items() if k not in ("area_ids", "reason_message")},
        )


@transaction.atomic
def grid_update(
    *,
    grid: Grid,
    actor=None,
    name: str | None = None,
    boundary: GEOSGeometry | None = None,
    note: str = "",
    at: datetime | None = None,
    expected_revision: int | None = None,
    report: hooks.EditReport | None = None,
    check_reach: bool = True,
) -> Grid:
    """Rename a grid and/or give it a new boundary version (the old one is kept).

    A new boundary re-routes the open appointments it moves (geo.hooks) in this transaction.
    With `check_reach`, a new boundary that reaches outside the actor's managed area raises
    `OutsideManagedArea` before anything is written (geo.proposals turns it into a proposal).
    """
    at = at or timezone.now()
    _lock_community(grid.community)
    grid = _lock_active_grid(grid, expected_revision)
    changed: list[str] = []
    old = grid.boundary
    if boundary is not None:
        boundary = _check_grid_geometry(boundary, grid.community, exclude=[grid.pk])
        if check_reach:
            _reach_check(grid, old, boundary, actor)
        previous = _close_current_boundary(grid, at)
        GridBoundary.objects.create(
            grid=grid,
            version=previous.version + 1,
            geom=boundary,
            valid_from=at,
            created_by=actor,
            note=note,
        )
        grid.boundary = boundary
        changed.append("boundary")
    if name is not None and name != grid.name:
        grid.name = name
        changed.append("name")
    if changed:
        _save(grid, changed)
    if boundary is not None:
        hooks.run(
            hooks.GridChange(
                kind="update",
                actor=actor,
                at=at,
                region=old.union(boundary),
                changed=[grid],
                report=report if report is not None else hooks.EditReport(),
            )
        )
    return grid


def _retire(grid: Grid, *, at: datetime, reason: str) -> None:
    _close_current_boundary(grid, at)
    grid.retired_at = at
    grid.retired_reason = reason[:200]
    _save(grid, ["retired_at", "retired_reason"])


@transaction.atomic
def grid_retire(
    *,
    grid: Grid,
    actor=None,
    reason: str,
    at: datetime | None = None,
    expected_revision: int | None = None,
    report: hooks.EditReport | None = None,
) -> Grid:
    """Take a grid out of service; its code and boundary history stay. Its assignments end and
    its open appointments are routed again (geo.hooks), in this transaction."""
    at = at or timezone.now()
    _lock_community(grid.community)
    grid = _lock_active_grid(grid, expected_revision)
    _retire(grid, at=at, reason=reason or "retired")
    hooks.run(
        hooks.GridChange(
            kind="retire",
            actor=actor,
            at=at,
            region=grid.boundary,
            retired=[grid],
            report=report if report is not None else hooks.EditReport(),
        )
    )
    return grid


@dataclass(frozen=True)
class GridPart:
    """One new grid of a split: its name, boundary (None when a line cuts them), optional code
    and the assignments asked for it."""

    name: str
    boundary: GEOSGeometry | None = None
    code: str | None = None
    staffing: tuple[hooks.Staffing, ...] = ()


def _needs_two(parts: Sequence[GridPart]) -> None:
    if len(parts) < 2:
        raise ApplicationError(
            "split_needs_parts",
            _("A split needs at least two parts."),
            details={"parts": len(parts)},
        )


def _split(
    grid: Grid,
    community: Area,
    parts: Sequence[GridPart],
    boundaries: Sequence[MultiPolygon],
    *,
    actor,
    at: datetime,
    report: hooks.EditReport | None,
) -> list[Grid]:
    _retire(grid, at=at, reason=f"split into {len(parts)} grids")
    created = []
    for index, (part, boundary) in enumerate(zip(parts, boundaries, strict=True)):
        label = _("part %(n)d") % {"n": index + 1}
        boundary = _check_grid_geometry(boundary, community, label=label)
        created.append(
            _grid_insert(
                community=community,
                code=part.code,
                name=part.name,
                boundary=boundary,
                actor=actor,
                at=at,
                note=f"split from {grid.code}",
                predecessors=[grid],
            )
        )
    grid.retired_reason = "split into " + ", ".join(g.code for g in created)
    grid.save(update_fields=["retired_reason"])
    hooks.run(
        hooks.GridChange(
            kind="split",
            actor=actor,
            at=at,
            region=grid.boundary,
            retired=[grid],
            created=created,
            staffing={g.pk: part.staffing for g, part in zip(created, parts, strict=True)},
            report=report if report is not None else hooks.EditReport(),
        )
    )
    return created


@transaction.atomic
def grid_split(
    *,
    grid: Grid,
    parts: Sequence[GridPart],
    actor=None,
    at: datetime | None = None,
    expected_revision: int | None = None,
    report: hooks.EditReport | None = None,
) -> list[Grid]:
    """Retire `grid` and create its parts (new codes), which together cover it exactly; its
    assignments end, the parts are staffed as asked, open appointments routed again."""
    at = at or timezone.now()
    _needs_two(parts)
    community = _lock_community(grid.community)
    grid = _lock_active_grid(grid, expected_revision)
    boundaries = [
        _as_multipolygon(p.boundary, where=f"parts[{i}].boundary") for i, p in enumerate(parts)
    ]
    rules.check_parts_cover(boundaries, grid.boundary, grid_code=grid.code)
    return _split(grid, community, parts, boundaries, actor=actor, at=at, report=report)


def _named_pieces(grid: Grid, pieces: list, parts: Sequence[GridPart]) -> list[GridPart]:
    if not parts:
        return [GridPart(name=f"{grid.name} {i + 1}"[:100]) for i in range(len(pieces))]
    if len(parts) != len(pieces):
        raise ApplicationError(
            "split_parts_mismatch",
            _("The line cuts grid %(code)s into %(pieces)d pieces, but %(parts)d parts are named.")
            % {"code": grid.code, "pieces": len(pieces), "parts": len(parts)},
            details={"pieces": len(pieces), "parts": len(parts)},
        )
    return list(parts)


def grid_split_preview(*, grid: Grid, line: GEOSGeometry) -> list[rules.Piece]:
    """The pieces a line would cut an active grid into (largest first), writing nothing."""
    line = check_geometry(line, allowed=("LineString",), where="line")
    if not grid.active:
        raise Conflict(
            "grid_retired",
            _("Grid %(code)s was retired and cannot change.") % {"code": grid.code},
            details={"code": grid.code},
        )
    return rules.cut_along_line(grid.boundary, line, grid_code=grid.code)


@transaction.atomic
def grid_split_along_line(
    *,
    grid: Grid,
    line: GEOSGeometry,
    parts: Sequence[GridPart] = (),
    actor=None,
    at: datetime | None = None,
    expected_revision: int | None = None,
    report: hooks.EditReport | None = None,
) -> list[Grid]:
    """`grid_split` with parts cut by PostGIS along `line` (ST_Split), largest piece first;
    `parts` (names, codes, staffing, no boundaries) name the pieces in that order."""
    at = at or timezone.now()
    line = check_geometry(line, allowed=("LineString",), where="line")
    community = _lock_community(grid.community)
    grid = _lock_active_grid(grid, expected_revision)
    pieces = rules.cut_along_line(grid.boundary, line, grid_code=grid.code)
    parts = _named_pieces(grid, pieces, parts)
    boundaries = [piece.geom for piece in pieces]
    return _split(grid, community, parts, boundaries, actor=actor, at=at, report=report)


@transaction.atomic
def grid_merge(
    *,
    grids: Sequence[Grid],
    name: str,
    code: str | None = None,
    actor=None,
    at: datetime | None = None,
    expected_revisions: Mapping[str, int] | None = None,
    staffing: Sequence[hooks.Staffing] = (),
    report: hooks.EditReport | None = None,
) -> Grid:
    """Retire two or more grids of one community and create their union as a new grid; their
    assignments end, the new grid is staffed as asked, open appointments routed again.

    `expected_revisions` maps each grid's code to the revision the editor merged."""
    at = at or timezone.now()
    if len({g.pk for g in grids}) < 2:
        raise ApplicationError(
            "merge_needs_grids", _("A merge needs at least two different grids.")
        )
    communities = {g.community_id for g in grids}
    if len(communities) != 1:
        raise ApplicationError(
            "merge_across_communities",
            _("Only grids of one community can be merged."),
            details={"grids": [g.code for g in grids]},
        )
    community = _lock_community(grids[0].community)
    expected = expected_revisions or {}
    locked = [_lock_active_grid(g, expected.get(g.code)) for g in sorted(grids, key=lambda g: g.pk)]
    ids = [g.pk for g in locked]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsEWKB(ST_Multi(ST_Union(boundary))) FROM geo_grid WHERE id = ANY(%s)",
            [ids],
        )
        union = GEOSGeometry(memoryview(bytes(cursor.fetchone()[0])))
    union.srid = 4326
    reason = "merged"
    for g in locked:
        _retire(g, at=at, reason=reason)
    boundary = _check_grid_geometry(union, community)
    merged = _grid_insert(
        community=community,
        code=code,
        name=name,
        boundary=boundary,
        actor=actor,
        at=at,
        note="merged from " + ", ".join(g.code for g in locked),
        predecessors=locked,
    )
    Grid.objects.filter(pk__in=ids).update(retired_reason=f"merged into {merged.code}")
    hooks.run(
        hooks.GridChange(
            kind="merge",
            actor=actor,
            at=at,
            region=boundary,
            retired=locked,
            created=[merged],
            staffing={merged.pk: tuple(staffing)},
            report=report if report is not None else hooks.EditReport(),
        )
    )
    return merged
