"""Periods: months, quarters and years by label; the latest complete one; local-day bounds."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import ApplicationError
from supervision.periods import Period, last_complete, parse_period, parse_span

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("label", "kind", "first", "last", "chinese"),
    [
        ("2026-10", "month", date(2026, 10, 1), date(2026, 10, 31), "2026年10月"),
        ("2026-02", "month", date(2026, 2, 1), date(2026, 2, 28), "2026年2月"),
        ("2026-12", "month", date(2026, 12, 1), date(2026, 12, 31), "2026年12月"),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31), "2026年第4季度"),
        ("2026-q1", "quarter", date(2026, 1, 1), date(2026, 3, 31), "2026年第1季度"),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31), "2026年"),
    ],
)
def test_labels(label, kind, first, last, chinese):
    period = parse_period(label, kind)
    assert (period.first, period.last, period.chinese) == (first, last, chinese)


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("2026-13", "month"),
        ("2026-Q4", "month"),
        ("2026-10", "quarter"),
        ("26", "year"),
        ("", "year"),
    ],
)
def test_bad_labels(label, kind):
    with pytest.raises(ApplicationError) as refused:
        parse_period(label, kind)
    assert refused.value.code == "invalid_period"


def test_the_latest_complete_period():
    today = date(2026, 11, 3)
    assert last_complete("month", today).label == "2026-10"
    assert last_complete("quarter", today).label == "2026-Q3"
    assert last_complete("year", today).label == "2025"
    assert last_complete("month", date(2026, 1, 1)).label == "2025-12"
    assert last_complete("quarter", date(2026, 2, 1)).label == "2025-Q4"


def test_a_period_runs_from_local_midnight_to_local_midnight():
    period = Period(date(2026, 10, 10), date(2026, 10, 10))
    assert period.start == datetime(2026, 10, 10, tzinfo=SH)
    assert period.end == datetime(2026, 10, 11, tzinfo=SH)
    assert period.chinese == "2026-10-10至2026-10-10"


def test_spans_default_to_this_month_so_far():
    span = parse_span(None, None, today=date(2026, 11, 28))
    assert (span.first, span.last) == (date(2026, 11, 1), date(2026, 11, 28))
    span = parse_span("2026-12-01", None, today=date(2026, 11, 28))
    assert (span.first, span.last) == (date(2026, 12, 1), date(2026, 12, 1))
