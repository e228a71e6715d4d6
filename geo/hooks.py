"""What other apps do when grids change, inside the edit's transaction, as pluggable hooks.

The spatial core knows nothing of people or appointments (SQL and imports point the other way),
yet an edit must end the assignments of retired grids, staff the new ones and re-route the open
appointments it moved — in the same transaction, so that either all of it happens or none.
So geo.services calls the functions named in settings.GEO_EDIT_HOOKS, in order, with a
`GridChange`; each does its part by its own app's rules and writes what it did into the change's
`report` (this project: people.grid_hooks.staff_changed_grids, then
appointments.grid_hooks.reroute_changed_grids, so routing sees the new assignments).
A hook refuses by raising an ApplicationError, which rolls the whole edit back.
Same pattern as geo.access: settings name the implementation, geo imports none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.utils.module_loading import import_string

from .models import Grid


@dataclass(frozen=True)
class Staffing:
    """An assignment asked for on a new grid (split or merge); people's rules judge it.
    `where` says where it came from in the request, for the refusal: {"part": 1, "item": 0}."""

    staff_id: int
    kind: str
    valid_from: date | None = None
    valid_to: date | None = None
    where: dict = field(default_factory=dict)


@dataclass
class EditReport:
    """What an edit did beyond the grids, for its answer ("3 open appointments moved to …")."""

    rerouted: list[dict] = field(default_factory=list)
    assignments_ended: int = 0
    assignments: list[dict] = field(default_factory=list)

    def as_members(self) -> dict[str, Any]:
        return {
            "rerouted": self.rerouted,
            "rerouted_count": len(self.rerouted),
            "assignments_ended": self.assignments_ended,
            "assignments": self.assignments,
        }


@dataclass
class GridChange:
    """One edit: `changed` grids got a new boundary; `retired` ones left service (by retire,
    split or merge) and `created` ones replaced them; `staffing` maps a created grid's pk to the
    assignments asked for it; `region` covers every boundary before and after (WGS-84)."""

    kind: str  # update | retire | split | merge
    actor: Any
    at: datetime
    region: GEOSGeometry
    changed: Sequence[Grid] = ()
    retired: Sequence[Grid] = ()
    created: Sequence[Grid] = ()
    staffing: dict[int, Sequence[Staffing]] = field(default_factory=dict)
    report: EditReport = field(default_factory=EditReport)

    @property
    def grid_ids(self) -> list[int]:
        return [g.pk for g in (*self.changed, *self.retired, *self.created)]


@cache
def _hooks() -> tuple[Callable[[GridChange], None], ...]:
    return tuple(import_string(name) for name in getattr(settings, "GEO_EDIT_HOOKS", ()))


def run(change: GridChange) -> EditReport:
    for hook in _hooks():
        hook(change)
    return change.report
