"""Lagging-unit notices (通报批评): rules propose them, district staff review them.

`propose_notices` runs daily (django-q2 schedule, migration 0003; or `manage.py
propose_notices`). For each active rule it looks at the latest complete period of the rule's
kind (or the period given) and proposes a notice for every unit that meets the rule. A unit
gets at most one notice per rule and period — the unique constraint decides, so runs that
overlap or repeat propose nothing twice, and a dismissed notice is not proposed again.

What a notice says: `text` (for staff) names who it is about; `public_text` names units only.
The plan criticises units (单位) that shirk or delay: a notice about an agent is published as
one about the agent's station ("一名代办员…"), never naming the person.

Built-in checks (their count is compared with the rule's threshold, by default "above 0"):
- no_desk_cover: working days of the period (up to today) on which nobody was at the
  centre's desk (people.selectors.desk_gaps; adjusted working weekends included);
- no_primary_agent: active grids of the unit without an active primary agent on the period's
  last day (people.selectors.staffing_gaps).
"""

from __future__ import annotations

import operator
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ApplicationError
from geo.models import Grid, ServiceCentre
from people.selectors import desk_gaps, staffing_gaps

from . import figures
from .figures import FIGURES_BY_KEY
from .models import Comparison, Level, Notice, NoticeRule
from .periods import Period, last_complete, parse_period
from .selectors import Unit, units

COMPARE = {
    Comparison.LT: operator.lt,
    Comparison.LE: operator.le,
    Comparison.GT: operator.gt,
    Comparison.GE: operator.ge,
}
COMPARE_ZH = {
    Comparison.LT: "低于",
    Comparison.LE: "不高于",
    Comparison.GT: "高于",
    Comparison.GE: "不低于",
}


def number(value) -> str:
    """66.70 → 66.7, 90.00 → 90."""
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _station_name(unit: Unit) -> str:
    return unit.parent_name  # an agent's unit: the station's centre name


def _figure_texts(rule: NoticeRule, unit: Unit, period: Period, value) -> tuple[str, str]:
    figure = FIGURES_BY_KEY[rule.figure]
    said = (
        f"{figure.label}为{number(value)}{figure.suffix}，"
        f"{COMPARE_ZH[rule.comparison]}{number(rule.threshold)}{figure.suffix}。"
    )
    if rule.level == Level.AGENT:
        station = _station_name(unit)
        return (
            f"{station}代办员{unit.name}：{period.chinese}{said}",
            f"{station}：{period.chinese}，一名代办员的{said}",
        )
    text = f"{unit.name}：{period.chinese}{said}"
    return text, text


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _figure_values(
    rule: NoticeRule, period: Period, today: date
) -> list[tuple[Unit, object, dict]]:
    unit_list = units(rule.level, period=period)
    values = figures.compute(rule.level, [u.id for u in unit_list], period, today=today)
    return [(u, values[u.id][rule.figure], {}) for u in unit_list]


def _desk_cover_values(rule: NoticeRule, period: Period, today: date):
    """Per centre of the level: its working days without desk cover (people.selectors)."""
    last = min(period.last, today)
    if last < period.first:
        return []
    centres = {
        c.area_id: c
        for c in ServiceCentre.objects.select_related("area").filter(area__level=rule.level)
    }
    rows = []
    for unit in units(rule.level, period=period):
        centre = centres.get(unit.id)
        if centre is None:
            continue
        gaps = desk_gaps(centre, period.first, last)
        rows.append((unit, len(gaps.days), {"days": [d.isoformat() for d in gaps.days]}))
    return rows


def _primary_agent_values(rule: NoticeRule, period: Period, today: date):
    """Per unit of the level: its active grids without a primary agent on the period's last
    day (or now, for a period not over yet)."""
    unit_list = units(rule.level, period=period)
    communities = units(Level.COMMUNITY, period=period)
    at = min(period.end - timedelta(seconds=1), timezone.now())
    gaps = staffing_gaps([c.id for c in communities], at=at).without_primary
    by_community: dict[int, list[str]] = {}
    for code, community_id in Grid.objects.filter(code__in=gaps).values_list(
        "code", "community_id"
    ):
        by_community.setdefault(community_id, []).append(code)
    parent_of = {c.id: c.parent_code for c in communities}
    rows = []
    for unit in unit_list:
        if rule.level == Level.COMMUNITY:
            codes = by_community.get(unit.id, [])
        else:  # a street: the grids of its communities
            codes = [
                code
                for community_id, grid_codes in by_community.items()
                if parent_of.get(community_id) == unit.code
                for code in grid_codes
            ]
        rows.append((unit, len(codes), {"grids": sorted(codes)}))
    return rows


def _check_texts(rule: NoticeRule, unit: Unit, period: Period, value, details) -> tuple[str, str]:
    if rule.kind == NoticeRule.Kind.NO_DESK_COVER:
        days = "、".join(_day(date.fromisoformat(d)) for d in details["days"])
        text = f"{unit.name}：{period.chinese}有{value}个工作日无人在窗口值守受理（{days}）。"
    else:
        grids = "、".join(details["grids"])
        text = f"{unit.name}：{period.chinese}末有{value}个网格未配备专职代办员（{grids}）。"
    return text, text


VALUES = {
    NoticeRule.Kind.FIGURE: _figure_values,
    NoticeRule.Kind.NO_DESK_COVER: _desk_cover_values,
    NoticeRule.Kind.NO_PRIMARY_AGENT: _primary_agent_values,
}


def _unit_links(rule: NoticeRule, unit: Unit) -> dict:
    if rule.level == Level.AGENT:
        return {"staff_id": unit.id, "area_id": unit.area_id, "public_unit_name": unit.parent_name}
    if rule.level == Level.GRID:
        return {"grid_id": unit.id, "area_id": unit.area_id, "public_unit_name": unit.name}
    return {"area_id": unit.id, "public_unit_name": unit.name}


def propose_for_rule(
    rule: NoticeRule, period: Period, *, today: date, now: datetime
) -> list[Notice]:
    """The notices one rule proposes for one period; returns those created now."""
    created = []
    threshold = Decimal(rule.threshold)
    compare = COMPARE[rule.comparison]
    for unit, value, details in VALUES[rule.kind](rule, period, today):
        if value is None or not compare(Decimal(str(value)), threshold):
            continue
        if rule.kind == NoticeRule.Kind.FIGURE:
            text, public_text = _figure_texts(rule, unit, period, value)
        else:
            text, public_text = _check_texts(rule, unit, period, value, details)
        try:
            with transaction.atomic():
                notice, new = Notice.objects.get_or_create(
                    rule=rule,
                    unit_key=f"{rule.level}:{unit.id}",
                    period=period.label,
                    defaults={
                        "level": rule.level,
                        "unit_name": unit.name,
                        "period_start": period.first,
                        "period_end": period.last,
                        "value": Decimal(str(value)),
                        "details": details,
                        "text": text,
                        "public_text": public_text,
                        "proposed_at": now,
                        **_unit_links(rule, unit),
                    },
                )
        except IntegrityError:  # proposed at the same moment by an overlapping run
            continue
        if new:
            created.append(notice)
    return created


def propose_notices(
    *, today: date | None = None, period: str | None = None, now: datetime | None = None
) -> int:
    """Every active rule, for the latest complete period of its kind (or `period`, for the
    rules of the matching kind). Returns how many notices were proposed now."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    created = 0
    for rule in NoticeRule.objects.filter(active=True).order_by("pk"):
        if period is None:
            span = last_complete(rule.period_kind, today)
        else:
            try:
                span = parse_period(period, rule.period_kind)
            except ApplicationError:  # a month given: rules counted by quarter or year skip it
                continue
        created += len(propose_for_rule(rule, span, today=today, now=now))
    return created
