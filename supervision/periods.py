"""Periods: a span of local (Asia/Shanghai) calendar days, both ends included.

Figures take a `Period`; assessment and notice rules name theirs by kind and label: a month
`2026-10`, a quarter `2026-Q4`, a year `2026`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .models import PeriodKind

LOCAL = ZoneInfo(settings.TIME_ZONE)
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str = ""

    @property
    def start(self) -> datetime:
        """The first moment of the period (local midnight)."""
        return datetime.combine(self.first, time.min, tzinfo=LOCAL)

    @property
    def end(self) -> datetime:
        """The moment after the period (local midnight after its last day), exclusive."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=LOCAL)

    @property
    def chinese(self) -> str:
        """The period as a notice names it: 2026年10月, 2026年第4季度, 2026年, or a span."""
        if re.fullmatch(r"\d{4}-\d{2}", self.label):
            return f"{self.first.year}年{self.first.month}月"
        if re.fullmatch(r"\d{4}-Q[1-4]", self.label):
            return f"{self.first.year}年第{self.label[-1]}季度"
        if re.fullmatch(r"\d{4}", self.label):
            return f"{self.first.year}年"
        return f"{self.first.isoformat()}至{self.last.isoformat()}"


def _invalid(value: str, kind: str) -> ApplicationError:
    examples = {"month": "2026-10", "quarter": "2026-Q4", "year": "2026"}
    return ApplicationError(
        "invalid_period",
        _("%(value)r is not a %(kind)s; write it like %(example)s.")
        % {"value": value, "kind": kind, "example": examples[kind]},
        details={"field": "period", "kind": kind},
    )


def month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def parse_period(value: str, kind: str) -> Period:
    """`2026-10` (month), `2026-Q4` (quarter) or `2026` (year), as the kind requires."""
    value = str(value or "").strip()
    try:
        if kind == PeriodKind.MONTH:
            match = re.fullmatch(r"(\d{4})-(\d{2})", value)
            year, month = int(match[1]), int(match[2])
            return Period(date(year, month, 1), month_end(year, month), value)
        if kind == PeriodKind.QUARTER:
            match = re.fullmatch(r"(\d{4})-[Qq]([1-4])", value)
            year, quarter = int(match[1]), int(match[2])
            first_month = 3 * quarter - 2
            return Period(
                date(year, first_month, 1),
                month_end(year, first_month + 2),
                f"{year}-Q{quarter}",
            )
        if kind == PeriodKind.YEAR:
            year = int(re.fullmatch(r"\d{4}", value)[0])
            return Period(date(year, 1, 1), date(year, 12, 31), value)
    except (TypeError, ValueError):
        pass
    raise _invalid(value, kind)


def last_complete(kind: str, today: date) -> Period:
    """The latest period of this kind that ended before `today`."""
    if kind == PeriodKind.MONTH:
        last = today.replace(day=1) - timedelta(days=1)
        return parse_period(f"{last.year}-{last.month:02d}", kind)
    if kind == PeriodKind.QUARTER:
        quarter = (today.month - 1) // 3 + 1
        year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
        return parse_period(f"{year}-Q{quarter}", kind)
    return parse_period(str(today.year - 1), kind)


def parse_span(first: str | None, last: str | None, *, today: date) -> Period:
    """`from`/`to` query values (ISO dates, both included); by default this month so far."""

    def day(value: str, field: str) -> date:
        try:
            return date.fromisoformat(value.strip())
        except (AttributeError, ValueError):
            raise ApplicationError(
                "invalid_date",
                _("%(field)s must be a date like 2026-10-01.") % {"field": field},
                details={"field": field},
            ) from None

    start = day(first, "from") if first else today.replace(day=1)
    end = day(last, "to") if last else max(today, start)
    if end < start:
        raise ApplicationError(
            "invalid_period", _("`to` comes before `from`."), details={"field": "to"}
        )
    if (end - start).days > MAX_DAYS:
        raise ApplicationError(
            "invalid_period",
            _("A period spans at most %(days)d days.") % {"days": MAX_DAYS},
            details={"field": "to"},
        )
    return Period(start, end)
