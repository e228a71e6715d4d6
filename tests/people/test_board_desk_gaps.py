"""The public board states desk cover as `desk_gaps` finds it: a working day nobody covers is
shown, on the JSON and on the printed page, instead of "every working day is covered"."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from geo.models import ServiceCentre
from people.board import day_zh
from people.models import DeskDay, DeskShift, Leave
from workdays.calendar import workdays_in_range

CLAIM = "每个工作日均有人员在岗受理"
JSON = "/api/v1/public/stations/210000001001/"
PAGE = "/board/210000001001/"


def horizon():
    first = timezone.localdate()
    return first, first + timedelta(days=settings.PEOPLE["BOARD_DESK_DAYS"] - 1)


@pytest.fixture
def rota(world):
    """Station C1 on a rota: the manager covers every coming working day but one."""
    centre, manager = world["tree"]["c1"].centre, world["people"]["manager1"]
    days = workdays_in_range(*horizon()).value
    assert len(days) >= 3
    uncovered = days[1]
    for day in days:
        if day != uncovered:
            DeskShift.objects.create(
                centre=centre, staff=manager, date=day, start=time(8, 30), end=time(17, 0)
            )
    return centre, manager, days, uncovered


def test_the_json_shows_the_uncovered_working_day(rota, api_client):
    *_, uncovered = rota
    body = api_client.get(JSON).json()
    first, last = horizon()
    assert body["desk_gaps"]["days"] == [uncovered.isoformat()]
    assert (body["desk_gaps"]["first"], body["desk_gaps"]["last"]) == (
        first.isoformat(),
        last.isoformat(),
    )
    assert not any(CLAIM in line for line in body["acceptance_days"])
    assert body["acceptance_days"][0] == "轮值受理"
    assert any(day_zh(uncovered) in line for line in body["acceptance_days"])


def test_the_page_shows_the_uncovered_working_day(rota, client):
    *_, uncovered = rota
    html = client.get(PAGE).content.decode()
    assert day_zh(uncovered) in html  # e.g. 12月3日（周四）
    assert CLAIM not in html


def test_covering_the_day_makes_the_claim_true(rota, api_client, client):
    centre, manager, _, uncovered = rota
    DeskShift.objects.create(
        centre=centre, staff=manager, date=uncovered, start=time(8, 30), end=time(12, 0)
    )
    body = api_client.get(JSON).json()
    assert body["desk_gaps"]["days"] == []
    assert body["acceptance_days"][0] == "轮值受理：" + CLAIM
    assert CLAIM in client.get(PAGE).content.decode()


def test_a_day_whose_only_shift_is_on_leave_is_a_gap(rota, api_client):
    centre, manager, days, uncovered = rota
    DeskShift.objects.create(
        centre=centre, staff=manager, date=uncovered, start=time(8, 30), end=time(12, 0)
    )
    away = days[2]
    start = datetime.combine(away, time(0, 0), tzinfo=timezone.get_current_timezone())
    Leave.objects.create(staff=manager, start=start, end=start + timedelta(days=1), reason="病假")
    body = api_client.get(JSON).json()
    assert body["desk_gaps"]["days"] == [away.isoformat()]
    assert not any(CLAIM in line for line in body["acceptance_days"])
    assert "病假" not in str(body)  # the reason is nobody's business on a public board


def test_a_fixed_days_station_shows_its_gaps_too(world, api_client, client):
    centre = world["tree"]["c1"].centre
    centre.acceptance = ServiceCentre.Acceptance.FIXED_DAYS
    centre.acceptance_weekdays = [1, 2, 3, 4, 5]
    centre.save()
    days = workdays_in_range(*horizon()).value
    nobody = days[0].isoweekday()  # the weekday nobody takes
    for weekday in set(range(1, 8)) - {nobody}:
        DeskDay.objects.create(
            centre=centre,
            staff=world["people"]["agent1"],
            weekday=weekday,
            start=time(8, 30),
            end=time(17, 0),
        )
    uncovered = [d for d in days if d.isoweekday() == nobody]
    body = api_client.get(JSON).json()
    assert body["desk_gaps"]["days"] == [d.isoformat() for d in uncovered]
    assert body["acceptance_days"][0] == "每周固定受理日：周一、周二、周三、周四、周五"
    assert day_zh(uncovered[0]) in body["acceptance_days"][1]
    assert day_zh(uncovered[0]) in client.get(PAGE).content.decode()
