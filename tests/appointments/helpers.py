from appointments import intake as appointment_intake
from tests.appointments.conftest import NOW, WINDOW
from tests.geo.helpers import point


def intake(x=100, y=100, *, channel="web", window=WINDOW, item="MZ-001", **extra):
    start, end = window if window else (None, None)
    return appointment_intake.Intake(
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
    return appointment_intake.appointment_create(
        actor=actor, intake=intake(x, y, **kwargs), now=now
    )


def queue_backlog(n: int, *, prefix: str = "BATCH"):
    """n appointments that arrived without routing (an offline or imported backlog), side by side
    east of (100, 100), in the booking window."""
    from appointments.models import Appointment, Status
    from catalogue.models import ServiceItem

    item = ServiceItem.objects.get(code="MZ-001")
    version = item.current
    return [
        Appointment.objects.create(
            tracking_code=f"{prefix}{i:05d}",
            applicant_name="张三",
            applicant_phone="13800001234",
            address="x",
            location=point(100 + i, 100),
            service_item=item,
            item_version=version,
            preferred_start=WINDOW[0],
            preferred_end=WINDOW[1],
            channel="web",
            status=Status.UNROUTED,
        )
        for i in range(n)
    ]
