"""The people world plus a backup agent on grid A and a catalogue item, at a fixed moment.

Routing asks whether agents work in the appointment's window; tests give explicit windows on
a known working day (Friday 9 October 2026) so the answer does not depend on today's date.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from catalogue import services as catalogue_services
from people.models import GridAssignment, Role
from tests.factories import make_staff
from tests.worlds.stack import world_fixture

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 8, 10, 0, tzinfo=SH)  # Thursday morning, a working day
WINDOW = (datetime(2026, 10, 9, 9, 0, tzinfo=SH), datetime(2026, 10, 9, 11, 0, tzinfo=SH))


@world_fixture
def routed_world(world):
    """The people world plus agent3 (C1, backup on grid A), items MZ-001 and QT-000."""
    c1 = world["tree"]["c1"].centre
    agent3 = make_staff("agent3", Role.AGENT, centre=c1, full_name="孙三")
    GridAssignment.objects.create(
        grid=world["grids"]["A"], staff=agent3, kind="backup", valid_from=date(2026, 1, 1)
    )
    world["people"]["agent3"] = agent3
    catalogue_services.item_create(
        actor=None,
        code="MZ-001",
        data={
            "name": "高龄津贴申请",
            "category": "老年人服务",
            "handling_level": "street",
            "department": "区民政局",
            "materials": [{"key": "id_card", "name": "居民身份证"}],
            "procedure": ["预审", "报送"],
            "committed_limit_days": 15,
            "proxy_limit_days": 10,
        },
    )
    catalogue_services.item_create(
        actor=None,
        code="QT-000",
        is_other_request=True,
        data={
            "name": "其他合理合法需求",
            "category": "其他",
            "handling_level": "community",
            "department": "便民服务站",
            "materials": [],
            "procedure": ["了解需求"],
            "committed_limit_days": 20,
            "proxy_limit_days": 15,
        },
    )
    return world


def future_window():
    """A working-day morning a few days from the real today (for requests over HTTP, which
    use the real clock)."""
    from datetime import timedelta

    from django.utils import timezone

    from workdays.calendar import is_workday

    day = timezone.localdate() + timedelta(days=3)
    while not is_workday(day).value:
        day += timedelta(days=1)
    return (
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=SH),
        datetime(day.year, day.month, day.day, 11, 0, tzinfo=SH),
    )
