from appointments import services
from tests.appointments.conftest import NOW, WINDOW
from tests.geo.helpers import point


def intake(x=100, y=100, *, channel="web", window=WINDOW, item="MZ-001", **extra):
    start, end = window if window else (None, None)
    return services.Intake(
        service_item=item,
        applicant_name="张三",
        applicant_phone="13800001234",
        location=point(x, y),
        address="测试地址",
        channel=channel,
        preferred_start=start,
        preferred_end=end,
        **extra,
    )


def book(actor=None, x=100, y=100, now=NOW, **kwargs):
    return services.appointment_create(actor=actor, intake=intake(x, y, **kwargs), now=now)
