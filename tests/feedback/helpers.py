"""Builders for feedback tests: cases straight through the ORM, complaints and suggestions
through the services (as the public would file them)."""

from cases.models import Case, Origin
from feedback import services

PHONE = "13912345678"


def make_case(*, code: str, centre, responsible, item) -> Case:
    return Case.objects.create(
        tracking_code=code,
        origin=Origin.STATION_DESK,
        centre=centre,
        service_item=item,
        item_version=item.current,
        applicant_name="刘申请",
        applicant_phone="13700000001",
        responsible=responsible,
        opened_by=responsible.user,
    )


def complaint_about(*, staff=None, case=None, **extra):
    return services.complaint_create(
        actor=None,
        staff_id=staff.pk if staff is not None else None,
        case_code=case.tracking_code if case is not None else "",
        complainant_name=extra.pop("complainant_name", "陈投诉"),
        complainant_phone=extra.pop("complainant_phone", PHONE),
        text=extra.pop("text", "上门服务迟到两个小时。"),
        **extra,
    )


def suggestion_at(area, **extra):
    return services.suggestion_create(
        station_code=area.code,
        text=extra.pop("text", "希望周六上午也能受理。"),
        name=extra.pop("name", ""),
        phone=extra.pop("phone", ""),
        **extra,
    )
