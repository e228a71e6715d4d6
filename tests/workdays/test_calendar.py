"""Working days across 2026's National Day week and its adjusted working Saturday (调休)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.workdays.helpers import forget_years
from workdays import calendar
from workdays.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_seeded_from_the_library():
    assert CalendarYear.objects.filter(year=2026, published=True).exists()
    assert SpecialDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"


def test_holidays_and_adjusted_weekends():
    assert calendar.is_workday(date(2026, 10, 1)) == calendar.Answer(False, False)
    assert calendar.is_workday(date(2026, 10, 10)) == calendar.Answer(True, False)  # Saturday, 调休
    assert calendar.is_workday(date(2026, 10, 11)).value is False  # an ordinary Sunday
    assert calendar.is_workday(date(2026, 9, 20)).value is True  # Sunday, 调休
    assert calendar.is_workday(date(2026, 9, 25)).value is False  # Mid-autumn, a Friday


def test_add_workdays_skips_the_golden_week():
    assert calendar.add_workdays(date(2026, 9, 30), 1).value == date(2026, 10, 8)
    assert calendar.add_workdays(date(2026, 9, 30), 3).value == date(2026, 10, 10)
    assert calendar.add_workdays(date(2026, 9, 30), 4).value == date(2026, 10, 12)
    assert calendar.add_workdays(date(2026, 9, 30), 0).value == date(2026, 9, 30)


def test_local_date_of_a_moment_is_shanghai():
    late_utc = datetime(
        2026, 9, 30, 17, 0, tzinfo=ZoneInfo("UTC")
    )  # 01:00 on 1 October in Shanghai
    assert calendar.is_workday(late_utc).value is False


def test_workdays_between():
    assert calendar.workdays_between(date(2026, 9, 24), date(2026, 10, 12)) == calendar.Answer(
        7, False
    )
    assert calendar.workdays_between(date(2026, 10, 12), date(2026, 10, 12)).value == 0


def test_unpublished_year_is_answered_but_provisional():
    forget_years(2027)
    answer = calendar.add_workdays(date(2026, 12, 30), 5)
    assert answer.provisional is True
    assert answer.value == date(2027, 1, 6)  # weekdays only: the 2027 schedule is not out yet
    assert calendar.is_workday(date(2027, 3, 1)) == calendar.Answer(True, True)


def test_an_administrator_publishes_next_year():
    forget_years(2027)
    CalendarYear.objects.create(year=2027, published=True, source="State Council notice")
    SpecialDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦")
    answer = calendar.add_workdays(date(2026, 12, 31), 1)
    assert answer == calendar.Answer(date(2027, 1, 4), False)


def test_calendar_api(api_client, django_user_model):
    api_client.force_authenticate(django_user_model.objects.create_user("u"))
    body = api_client.get("/api/v1/calendar/?from=2026-10-09&to=2026-10-11").json()
    assert [(d["date"], d["workday"], d["kind"]) for d in body["days"]] == [
        ("2026-10-09", True, ""),
        ("2026-10-10", True, "workday"),
        ("2026-10-11", False, ""),
    ]
    body = api_client.get("/api/v1/calendar/add/?start=2026-09-30&days=1").json()
    assert body["date"] == "2026-10-08" and body["provisional"] is False
    response = api_client.get("/api/v1/calendar/add/?start=2026-13-01&days=1")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_date"
    response = api_client.get("/api/v1/calendar/add/?start=2026-09-30&days=-3")
    assert response.json()["error"]["code"] == "invalid_days"
    response = api_client.get("/api/v1/calendar/?from=2026-10-09&to=2026-01-01")
    assert response.json()["error"]["code"] == "invalid_range"
