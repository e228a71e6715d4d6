"""Reads of supervision: the units of a level, the figures table (ranked when asked), the
assessment, notices and inspections a requester sees.

Every read starts from the requester's reach (supervision.access); units outside it are never
listed, an area outside it answers 404 `unknown_area`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound, PermissionDenied
from geo.models import Area, Grid
from geo.selectors import area_ids_below
from geo.services import area_get
from people.models import Role, Staff

from . import figures
from .access import Reach, area_in_reach, reach_for, supervisory_reach, within
from .figures import AREA_LEVELS, FIGURES_BY_KEY, LEVEL_DEPTH, Figure
from .models import Inspection, Level, Notice
from .periods import Period


@dataclass(frozen=True)
class Unit:
    level: str
    id: int
    code: str  # division code or grid code; "" for an agent
    name: str
    parent_code: str  # the unit above: street for a station, station for a grid or an agent
    parent_name: str
    area_id: int  # the unit's area (the station's community for grids and agents)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "id": self.id,
            "code": self.code or None,
            "name": self.name,
            "parent": {"code": self.parent_code, "name": self.parent_name}
            if self.parent_code
            else None,
        }


def check_level(level: str) -> str:
    if level not in figures.LEVELS:
        raise ApplicationError(
            "invalid_level",
            _("Unknown level %(level)r.") % {"level": level},
            details={"field": "level", "allowed": list(figures.LEVELS)},
        )
    return level


def units(
    level: str,
    *,
    area_ids: set[int] | None = None,
    staff_id: int | None = None,
    period: Period | None = None,
) -> list[Unit]:
    """The units of a level lying in `area_ids` (None: all), in a stable order. Grids are
    those not retired before the period began; agents those active with a station."""
    if level in AREA_LEVELS:
        qs = Area.objects.filter(level=level)
        if area_ids is not None:
            qs = qs.filter(pk__in=area_ids)
        rows = qs.order_by("code").values_list("pk", "code", "name", "parent__code", "parent__name")
        return [
            Unit(level, pk, code, name, pc or "", pn or "", pk) for pk, code, name, pc, pn in rows
        ]
    if level == Level.GRID:
        qs = Grid.objects.all()
        if period is not None:
            qs = qs.filter(Q(retired_at__isnull=True) | Q(retired_at__gte=period.start))
        if area_ids is not None:
            qs = qs.filter(community_id__in=area_ids)
        rows = qs.order_by("community__code", "code").values_list(
            "pk", "code", "name", "community__code", "community__name", "community_id"
        )
        return [Unit(level, *row) for row in rows]
    qs = Staff.objects.filter(roles__contains=[Role.AGENT], centre__isnull=False)
    # an agent asking about themselves, active or not; otherwise the active agents
    qs = qs.filter(pk=staff_id) if staff_id is not None else qs.filter(active=True)
    if area_ids is not None:
        qs = qs.filter(centre__area_id__in=area_ids)
    rows = qs.order_by("centre__area__code", "full_name", "pk").values_list(
        "pk", "full_name", "centre__area__code", "centre__name", "centre__area_id"
    )
    return [Unit(level, pk, "", name, code, centre, area) for pk, name, code, centre, area in rows]


def units_in_reach(reach: Reach, level: str, area: Area | None, period: Period) -> list[Unit]:
    """The units of a level the requester may read, inside `area` when given."""
    if reach.own_staff_id is not None:
        if level != Level.AGENT:
            raise PermissionDenied(
                "permission_denied", _("Agents read their own figures only (level agent).")
            )
        limit = area_ids_below({area.pk}) if area is not None else None
        return units(level, area_ids=limit, staff_id=reach.own_staff_id, period=period)
    if area is not None and level in AREA_LEVELS and LEVEL_DEPTH[area.level] > LEVEL_DEPTH[level]:
        raise ApplicationError(
            "area_below_level",
            _("%(code)s lies below the %(level)s level.") % {"code": area.code, "level": level},
            details={"field": "area"},
        )
    return units(level, area_ids=within(reach, area), period=period)


# --- the figures table --------------------------------------------------------------------------


@dataclass
class Row:
    unit: Unit
    values: dict[str, Any]
    rank: int | None = None


@dataclass
class Table:
    level: str
    period: Period
    area: Area | None
    figures: list[Figure]
    rows: list[Row]
    order: str | None = None
    descending: bool = True
    extra: dict = field(default_factory=dict)


def check_figure(key: str, level: str, field_name: str = "order") -> Figure:
    figure = FIGURES_BY_KEY.get(key)
    if figure is None or level not in figure.levels:
        raise ApplicationError(
            "unknown_figure",
            _("No figure %(key)r at the %(level)s level.") % {"key": key, "level": level},
            details={"field": field_name, "allowed": [f.key for f in figures.figures_for(level)]},
        )
    return figure


def rank(rows: list[Row], key: str, *, descending: bool = True) -> list[Row]:
    """Sort by one figure (units without a value last, unranked) and rank them: equal values
    share a rank, the next rank skips (1, 2, 2, 4)."""
    valued = [r for r in rows if r.values.get(key) is not None]
    unvalued = [r for r in rows if r.values.get(key) is None]
    valued.sort(key=lambda r: r.values[key], reverse=descending)
    previous = None
    for position, row in enumerate(valued, start=1):
        row.rank = (
            previous.rank if previous and previous.values[key] == row.values[key] else position
        )
        previous = row
    for row in unvalued:
        row.rank = None
    return valued + unvalued


def stats(
    *,
    user,
    level: str,
    period: Period,
    today: date,
    area_code: str | None = None,
    order: str | None = None,
    descending: bool = True,
) -> Table:
    """`GET /stats/`: every figure of the level for the units the requester reads."""
    check_level(level)
    reach = reach_for(user)
    area = area_in_reach(reach, area_code) if area_code else None
    if order:
        check_figure(order, level)
    unit_list = units_in_reach(reach, level, area, period)
    values = figures.compute(level, [u.id for u in unit_list], period, today=today)
    rows = [Row(unit=u, values=values[u.id]) for u in unit_list]
    if order:
        rows = rank(rows, order, descending=descending)
    return Table(
        level=level,
        period=period,
        area=area,
        figures=figures.figures_for(level),
        rows=rows,
        order=order,
        descending=descending,
    )


# --- notices and inspections ----------------------------------------------------------------


def notices_for(user) -> QuerySet:
    """Notices of the areas the requester supervises (all for district-wide roles)."""
    reach = supervisory_reach(user)
    qs = Notice.objects.select_related("rule", "area", "reviewed_by")
    return qs if reach.area_ids is None else qs.filter(area_id__in=reach.area_ids)


def public_notices(*, area_code: str | None = None) -> QuerySet:
    """Issued notices (通报), newest first; inside an area (and what lies below it) when given.
    Callers show units only (public_unit_name, public_text), never a person."""
    qs = Notice.objects.filter(status=Notice.Status.ISSUED).select_related("rule", "area")
    if area_code:
        area = area_get(code=area_code)
        qs = qs.filter(area_id__in=area_ids_below({area.pk}))
    return qs.order_by("-reviewed_at", "-pk")


def inspections_for(user) -> QuerySet:
    """Inspections of the centres in the requester's reach (all for district-wide roles)."""
    reach = supervisory_reach(user)
    qs = Inspection.objects.select_related("centre__area", "inspector").prefetch_related(
        "items", "photos"
    )
    return qs if reach.area_ids is None else qs.filter(centre__area_id__in=reach.area_ids)


def visible_inspection(user, pk: int) -> Inspection:
    inspection = inspections_for(user).filter(pk=pk).first()
    if inspection is None:
        raise NotFound("unknown_inspection", _("No such inspection."))
    return inspection


def visible_notice(user, pk: int) -> Notice:
    notice = notices_for(user).filter(pk=pk).first()
    if notice is None:
        raise NotFound("unknown_notice", _("No such notice."))
    return notice
