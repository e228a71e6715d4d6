"""The figures on the constructed October 2026 (tests/supervision/conftest.py), every figure at
every level, each expected number worked out by hand from the dataset's description."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision import figures
from supervision.periods import Period
from supervision.selectors import units
from tests.supervision.conftest import OCTOBER, TODAY

pytestmark = pytest.mark.django_db

COLUMNS = [
    # appointments: received, in grid, %, answer minutes, visits due, in time, %
    "appointments",
    "routed_in_grid",
    "routed_in_grid_pct",
    "answer_minutes",
    "visits_due",
    "visits_in_time",
    "visits_in_time_pct",
    # cases: accepted, completed, on time, %, overdue now, working days, rating
    "cases_accepted",
    "cases_completed",
    "cases_on_time",
    "on_time_pct",
    "overdue_now",
    "workdays_avg",
    "rating_avg",
    "complaints",
    "trainings",
]

N = None
EXPECTED = {
    "agent": {
        # P1, P5, P8 in grid; answers 30 (P1) and 20 (P2 declined); P1 visited in time.
        # K2, K3, K4 accepted; K1, K2, K3 completed, K1 and K2 on time; K4 overdue;
        # (5 + 1 + 6) / 3 working days; ratings 5, 4, 2. F1, F2. Trained 10 and 20 Oct.
        "agent1": [3, 3, 100.0, 25.0, 1, 1, 100.0, 3, 3, 2, 66.7, 1, 4.0, 3.67, 2, 2],
        # P3 (first inquiry in C); answered P4 in 46 min; K5 and K6; F3.
        "agent2": [1, 1, 100.0, 46.0, 1, 1, 100.0, 2, 1, 1, 100.0, 0, 5.0, N, 1, 1],
        # P2 taken from grid B's queue of candidates as a community member, 50 min, late visit
        "agent3": [1, 0, 0.0, 50.0, 1, 0, 0.0, 0, 0, 0, N, 0, N, N, 0, 0],
        # nothing at all: zeros, and nothing to divide
        "agent4": [0, 0, N, N, 0, 0, N, 0, 0, 0, N, 0, N, N, 0, 0],
    },
    "grid": {
        # P1, P5, P8; K1 and K3 (K4 has no location); F2; agent1 and agent3 trained twice
        "A": [3, 3, 100.0, 30.0, 1, 1, 100.0, 1, 2, 1, 50.0, 0, 5.5, 3.5, 1, 2],
        # P2 (answers 20 and 50); K2 (the adjusted Saturday: 1 working day); agent1 backup
        "B": [1, 0, 0.0, 35.0, 1, 0, 0.0, 1, 1, 1, 100.0, 0, 1.0, 4.0, 0, 2],
        # P3, P4 (queued); K5 (through P3's grid) and K6 (by location); F3
        "C": [2, 1, 50.0, 46.0, 1, 1, 100.0, 2, 1, 1, 100.0, 0, 5.0, N, 1, 1],
    },
    "community": {
        "210000001001": [4, 3, 75.0, 33.3, 2, 1, 50.0, 3, 3, 2, 66.7, 1, 4.0, 3.67, 2, 2],
        "210000001002": [2, 1, 50.0, 46.0, 1, 1, 100.0, 2, 1, 1, 100.0, 0, 5.0, N, 1, 1],
    },
    # the street adds K7 (its own centre's case, 4 wd, ★5) and F5 (about its staff member);
    # answers (30 + 20 + 50 + 46) / 4; working days (5 + 1 + 6 + 5 + 4) / 5
    "street": {
        "210000001000": [6, 4, 66.7, 36.5, 3, 2, 66.7, 6, 5, 4, 80.0, 1, 4.2, 4.0, 4, 3],
    },
    "district": {
        "210000000000": [6, 4, 66.7, 36.5, 3, 2, 66.7, 6, 5, 4, 80.0, 1, 4.2, 4.0, 4, 3],
    },
}
# latest inspection score up to 31 Oct and inspections in October (area levels only)
INSPECTIONS = {
    "community": {"210000001001": (1, 85.0), "210000001002": (0, N)},
    "street": {"210000001000": (2, 87.5)},  # its own centre (90) and c1 (85); c2 not yet
    "district": {"210000000000": (2, 87.5)},
}


def _table(level: str, period: Period = OCTOBER, today: date = TODAY) -> dict[str, dict]:
    unit_list = units(level, period=period)
    values = figures.compute(level, [u.id for u in unit_list], period, today=today)
    names = {u.id: (u.code or u.name) for u in unit_list}
    return {names[uid]: row for uid, row in values.items()}


@pytest.mark.parametrize("level", ["agent", "grid", "community", "street", "district"])
def test_every_figure_at_every_level(dataset, level):
    table = _table(level)
    if level == "agent":
        # agents are keyed by their full names in the world; map them back
        people = dataset["people"]
        table = {key: table[people[key].full_name] for key in EXPECTED["agent"]}
    expected = {
        unit: dict(zip(COLUMNS, values, strict=True)) for unit, values in EXPECTED[level].items()
    }
    got = {unit: {c: table[unit][c] for c in COLUMNS} for unit in expected}
    assert got == expected
    for unit, (count, score) in INSPECTIONS.get(level, {}).items():
        assert (table[unit]["inspections"], table[unit]["inspection_score"]) == (count, score)
    if level in ("agent", "grid"):
        assert "inspection_score" not in next(iter(table.values()))


def test_the_adjusted_working_saturday_counts_as_a_working_day(dataset):
    """K2: accepted Friday 9 October, returned on Saturday 10 October — an adjusted working day
    (调休) — so it took one working day and was on time; on 10 October alone it is the only
    case completed."""
    k2 = dataset["cases"][2]
    assert k2.returned_at.date() == date(2026, 10, 10) and k2.due_date == date(2026, 10, 15)
    saturday = Period(date(2026, 10, 10), date(2026, 10, 10))
    row = _table("grid", saturday)["B"]
    assert (row["cases_completed"], row["cases_on_time"], row["workdays_avg"]) == (1, 1, 1.0)
    # the whole district that day: K2 only
    district = _table("district", saturday)["210000000000"]
    assert (district["cases_completed"], district["workdays_avg"], district["rating_avg"]) == (
        1,
        1.0,
        4.0,
    )
    # a plain Saturday is no working day: acceptance Fri 16 Oct and return Mon 19 Oct would
    # be one working day, like Fri 9 → Sat 10 (the SQL function the figures use says so)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT workdays_count('2026-10-09', '2026-10-10'), "
            "workdays_count('2026-10-16', '2026-10-19'), workdays_count('2026-09-30', '2026-10-08')"
        )
        assert cursor.fetchone() == (1, 1, 1)


def test_periods_cut_by_local_days(dataset):
    """The first week of the holiday month: K1 returned on Friday 9 October (its due date) is
    the only completion; P-nothing was booked. `today` moves what is overdue now."""
    first_days = Period(date(2026, 10, 1), date(2026, 10, 9))
    c1 = _table("community", first_days)["210000001001"]
    assert (c1["cases_accepted"], c1["cases_completed"], c1["cases_on_time"]) == (1, 1, 1)
    assert (c1["appointments"], c1["workdays_avg"], c1["rating_avg"]) == (0, 5.0, 5.0)
    # on 3 November only K4 is late; by 10 November K6 (due 6 Nov) and K8 (due 9 Nov) too
    later = _table("community", OCTOBER, today=date(2026, 11, 10))
    assert later["210000001001"]["overdue_now"] == 1
    assert later["210000001002"]["overdue_now"] == 2
    # on its due date a case is not overdue yet
    assert (
        _table("community", OCTOBER, today=date(2026, 10, 21))["210000001001"]["overdue_now"] == 0
    )


def test_figures_are_aggregate_queries_whatever_the_number_of_units(dataset):
    for level in ("agent", "grid", "community", "street", "district"):
        unit_ids = [u.id for u in units(level, period=OCTOBER)]
        with CaptureQueriesContext(connection) as queries:
            figures.compute(level, unit_ids, OCTOBER, today=TODAY)
        # one statement per source (inspections only at area levels)
        assert len(queries) == (6 if level in figures.AREA_LEVELS else 5), level


def test_a_unit_with_nothing_gets_zeros(sup_world):
    """No data at all: every count zero, every share and average null."""
    for level in ("agent", "grid", "community", "street", "district"):
        unit_list = units(level, period=OCTOBER)
        values = figures.compute(level, [u.id for u in unit_list], OCTOBER, today=TODAY)
        assert values and all(row == figures.empty(level) for row in values.values())
    assert figures.compute("grid", [], OCTOBER, today=TODAY) == {}


def test_the_visit_clock_is_a_setting(dataset, settings):
    """P3's visit came 47 h after the booking: late when the rule is 24 hours."""
    settings.SUPERVISION = {**settings.SUPERVISION, "VISIT_WITHIN_HOURS": 24}
    assert _table("grid")["C"]["visits_in_time"] == 0
    assert _table("grid")["A"]["visits_in_time"] == 0  # P1: 47 h after its window opened
    settings.SUPERVISION = {**settings.SUPERVISION, "VISIT_WITHIN_HOURS": 72}
    assert _table("grid")["B"]["visits_in_time"] == 1  # P2: 72 h exactly is in time
