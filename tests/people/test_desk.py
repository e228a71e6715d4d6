"""Desk cover (集中受理): who is at the desk, and the working days nobody is — across the 2026
National Day week and its adjusted working Saturday (10 October)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from geo.models import ServiceCentre
from people import selectors
from people.models import DeskDay, DeskShift, Leave
from tests.workdays.helpers import forget_years

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def fixed_station(world):
    centre = world["tree"]["c1"].centre
    centre.acceptance = ServiceCentre.Acceptance.FIXED_DAYS
    centre.acceptance_weekdays = [1, 2, 3, 4, 5]
    centre.save()
    for weekday in range(1, 6):
        DeskDay.objects.create(
            centre=centre,
            staff=world["people"]["agent1"],
            weekday=weekday,
            start=time(8, 30),
            end=time(17, 0),
        )
    return centre


def test_fixed_days_station_misses_the_adjusted_saturday(fixed_station):
    gaps = selectors.desk_gaps(fixed_station, date(2026, 9, 24), date(2026, 10, 12))
    # holidays (25 Sep, 1–7 Oct) need no cover; the working Saturday 10 Oct has nobody
    assert gaps.days == [date(2026, 10, 10)]
    assert gaps.provisional is False


def test_a_rota_shift_fills_the_gap(fixed_station, world):
    DeskShift.objects.create(
        centre=fixed_station,
        staff=world["people"]["manager1"],
        date=date(2026, 10, 10),
        start=time(8, 30),
        end=time(12, 0),
    )
    assert selectors.desk_gaps(fixed_station, date(2026, 9, 24), date(2026, 10, 12)).days == []


def test_leave_for_the_whole_day_opens_a_gap(fixed_station, world):
    Leave.objects.create(
        staff=world["people"]["agent1"],
        start=datetime(2026, 10, 8, 0, 0, tzinfo=SH),
        end=datetime(2026, 10, 9, 0, 0, tzinfo=SH),
    )
    gaps = selectors.desk_gaps(fixed_station, date(2026, 10, 8), date(2026, 10, 9))
    assert gaps.days == [date(2026, 10, 8)]


def test_rota_station_without_shifts_lacks_every_working_day(world):
    centre = world["tree"]["c2"].centre
    gaps = selectors.desk_gaps(centre, date(2026, 9, 28), date(2026, 10, 11))
    assert gaps.days == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]


def test_provisional_beyond_the_published_schedule(fixed_station):
    forget_years(2027)
    assert (
        selectors.desk_gaps(fixed_station, date(2026, 12, 28), date(2027, 1, 8)).provisional is True
    )


def test_who_is_at_the_desk(fixed_station, world):
    monday_morning = datetime(2026, 10, 12, 9, 0, tzinfo=SH)
    assert [s.full_name for s in selectors.who_is_at_desk(fixed_station, monday_morning)] == [
        "张一"
    ]
    assert selectors.who_is_at_desk(fixed_station, datetime(2026, 10, 12, 18, 0, tzinfo=SH)) == []
    assert (
        selectors.who_is_at_desk(fixed_station, datetime(2026, 10, 5, 9, 0, tzinfo=SH)) == []
    )  # holiday


def test_desk_api_and_command(fixed_station, world, capsys):
    from tests.factories import client_for

    client = client_for(world["people"]["manager1"])
    body = client.get(
        "/api/v1/centres/210000001001/desk-gaps/?from=2026-09-24&to=2026-10-12"
    ).json()
    assert body["days"] == ["2026-10-10"]
    body = client.get("/api/v1/centres/210000001001/desk/?at=2026-10-12T09:00:00%2B08:00").json()
    assert [p["full_name"] for p in body["staff"]] == ["张一"]
    response = client.post(
        "/api/v1/centres/210000001001/shifts/",
        {
            "staff": world["people"]["manager1"].pk,
            "date": "2026-10-10",
            "start": "08:30",
            "end": "12:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    bad = client.post(
        "/api/v1/centres/210000001001/shifts/",
        {
            "staff": world["people"]["manager1"].pk,
            "date": "2026-10-11",
            "start": "12:00",
            "end": "08:00",
        },
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_times"
    outsider = client.post(
        "/api/v1/centres/210000001001/shifts/",
        {
            "staff": world["people"]["street"].pk,
            "date": "2026-10-11",
            "start": "08:00",
            "end": "12:00",
        },
        format="json",
    )
    assert outsider.json()["error"]["code"] in {"not_centre_staff", "unknown_staff"}
    call_command("desk_gaps", "--days", "3", "--centre", "210000001002")
    assert "centres lack desk cover" in capsys.readouterr().out
