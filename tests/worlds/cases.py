"""A world for cases: the people world, an approval window with its own staff, an item with
two materials and a legally required fee, and helpers to open and move cases.

Dates: acceptance on Thursday 24 September 2026, the day before the Mid-Autumn holiday
(25–27 September), a week before National Day (1–7 October) and the adjusted working
Saturday 10 October, so deadlines cross them.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from cases import actions, services
from catalogue import services as catalogue_services
from people.models import Role
from tests.factories import make_staff
from tests.worlds.stack import world_fixture

SH = ZoneInfo("Asia/Shanghai")
ACCEPTED = datetime(2026, 9, 24, 10, 0, tzinfo=SH)  # Thursday, a working day


@world_fixture
def case_world(world):
    """The people world plus the approval window MZJ-01 (its staff: window), other_window and
    item MZ-002 (three materials, a fee, 5 working days by proxy)."""
    street_centre = world["tree"]["street"].centre
    window = catalogue_services.window_create(
        actor=None,
        code="MZJ-01",
        department="区民政局",
        name="社会救助窗口",
        centre=street_centre,
        hours="工作日 9:00-17:00",
        phone="0427-1234567",
    )
    world["people"]["window"].window = "MZJ-01"
    world["people"]["window"].save()
    world["people"]["other_window"] = make_staff("other_window", Role.WINDOW_STAFF, window="RSJ-01")
    catalogue_services.item_create(
        actor=None,
        code="MZ-002",
        data={
            "name": "残疾人证办理",
            "category": "残疾人服务",
            "handling_level": "district",
            "department": "区残联",
            "window": "MZJ-01",
            "materials": [
                {"key": "id_card", "name": "居民身份证", "form": "original"},
                {"key": "hukou", "name": "户口簿", "form": "original_and_copy"},
                {"key": "photo", "name": "近期免冠照片", "form": "original", "copies": 2},
            ],
            "procedure": ["预审", "受理", "报送", "取件"],
            "committed_limit_days": 10,
            "proxy_limit_days": 5,
            "fees": [{"name": "工本费", "amount": "10", "legal_basis": "《残疾人证管理办法》"}],
        },
    )
    world["window"] = window
    return world


ALL_PROVIDED = {"id_card": "provided", "hukou": "provided", "photo": "provided"}


def open_walk_in(actor, **extra):
    opening = services.Opening(
        service_item=extra.pop("service_item", "MZ-002"),
        applicant_name=extra.pop("applicant_name", "王五"),
        applicant_phone=extra.pop("applicant_phone", "13912345678"),
        address=extra.pop("address", "一社区 3 号楼"),
        **extra,
    )
    return services.case_open(actor=actor.user, opening=opening, now=ACCEPTED)


def act(actor, case, action, now=ACCEPTED, **payload):
    return actions.case_act(
        actor=actor.user, case_id=case.pk, action=action, payload=payload, now=now
    )


def accepted_case(case_world, now=ACCEPTED, **extra):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent, **extra)
    return act(agent, case, "accept", now=now, checklist=ALL_PROVIDED)
