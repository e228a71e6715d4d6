"""Lagging-unit notices (通报): rules as rows propose them once per unit and period, district
staff issue or dismiss them, issued ones are public and name units, never people."""

from __future__ import annotations

import threading
from datetime import date, time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django_q.models import Schedule

from geo.models import ServiceCentre
from people.models import DeskDay, GridAssignment
from supervision.models import Notice, NoticeRule
from supervision.notices import propose_notices
from tests.factories import client_for
from tests.supervision.conftest import TODAY

pytestmark = pytest.mark.django_db

RULES = "/api/v1/notices/rules/"
NOTICES = "/api/v1/notices/"
PUBLIC = "/api/v1/public/notices/"
C1, C2, STREET = "210000001001", "210000001002", "210000001000"


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def rule(world, **body):
    response = client_for(world["people"]["district"]).post(
        RULES, {"period_kind": "month", **body}, format="json"
    )
    assert response.status_code == 201, response.content
    return NoticeRule.objects.get(pk=response.json()["id"])


def on_time_rule(world, level="community"):
    return rule(
        world,
        name="按时办结率低于90%",
        kind="figure",
        figure="on_time_pct",
        comparison="lt",
        threshold="90",
        level=level,
    )


# --- proposals --------------------------------------------------------------------------------


def test_a_figure_rule_proposes_once_per_unit_and_period(dataset):
    station_rule = on_time_rule(dataset)
    agent_rule = on_time_rule(dataset, level="agent")
    # October is the latest complete month on 3 November: c1 (66.7 %) and agent1 (66.7 %);
    # c2 and agent2 were at 100 %; agents without completed cases have no share to judge
    assert propose_notices(today=TODAY) == 2
    station = Notice.objects.get(rule=station_rule)
    assert (station.level, station.area.code, station.period, station.value) == (
        "community",
        C1,
        "2026-10",
        Decimal("66.7"),
    )
    assert (station.period_start, station.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert station.text == station.public_text == "一社区：2026年10月按时办结率为66.7%，低于90%。"
    agent = Notice.objects.get(rule=agent_rule)
    assert (agent.staff, agent.area.code, agent.unit_name) == (
        dataset["people"]["agent1"],
        C1,
        "张一",
    )
    assert agent.text == "一社区中心代办员张一：2026年10月按时办结率为66.7%，低于90%。"
    # published, the notice names the station, never the person
    assert agent.public_unit_name == "一社区中心"
    assert agent.public_text == "一社区中心：2026年10月，一名代办员的按时办结率为66.7%，低于90%。"
    # however often it runs
    assert propose_notices(today=TODAY) == 0
    assert propose_notices(today=date(2026, 11, 30), period="2026-10") == 0
    assert Notice.objects.count() == 2
    # a later month is a new period (November: nothing completed, nothing proposed)
    assert propose_notices(today=date(2026, 12, 1)) == 0


def test_the_database_refuses_a_second_notice_for_a_unit_and_period(dataset):
    on_time_rule(dataset)
    propose_notices(today=TODAY)
    notice = Notice.objects.get()
    notice.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        notice.save()


def test_stations_without_desk_cover_on_a_working_day(sup_world):
    """二村 keeps fixed acceptance days Monday to Friday: the adjusted working Saturday
    10 October is a working day without cover. 一社区 has no rota at all: all 18 working days
    of October (the National Day week is a holiday)."""
    c2 = ServiceCentre.objects.get(area__code=C2)
    c2.acceptance = ServiceCentre.Acceptance.FIXED_DAYS
    c2.acceptance_weekdays = [1, 2, 3, 4, 5]
    c2.save()
    for weekday in range(1, 6):
        DeskDay.objects.create(
            centre=c2,
            staff=sup_world["people"]["agent2"],
            weekday=weekday,
            start=time(8, 30),
            end=time(17, 0),
        )
    desk = rule(sup_world, name="工作日无人值守", kind="no_desk_cover", level="community")
    assert propose_notices(today=TODAY) == 2
    by_area = {n.area.code: n for n in Notice.objects.filter(rule=desk)}
    assert by_area[C2].value == 1
    assert by_area[C2].details == {"days": ["2026-10-10"]}
    assert by_area[C2].public_text == "二村：2026年10月有1个工作日无人在窗口值守受理（10月10日）。"
    assert by_area[C1].value == 18
    assert by_area[C1].details["days"][:3] == ["2026-10-08", "2026-10-09", "2026-10-10"]


def test_grids_without_a_primary_agent(sup_world):
    """Grid B has only a backup agent; grid C's primary agent left on 20 October."""
    GridAssignment.objects.filter(grid=sup_world["grids"]["C"]).update(valid_to=date(2026, 10, 20))
    station = rule(sup_world, name="网格无专职代办员", kind="no_primary_agent", level="community")
    street = rule(sup_world, name="街道网格无专职代办员", kind="no_primary_agent", level="street")
    assert propose_notices(today=TODAY) == 3
    values = {(n.rule_id, n.area.code): (n.value, n.details["grids"]) for n in Notice.objects.all()}
    assert values == {
        (station.pk, C1): (1, ["B"]),
        (station.pk, C2): (1, ["C"]),
        (street.pk, STREET): (2, ["B", "C"]),
    }
    # in September grid C still had its primary agent: grid B only, for c1 and the street
    assert propose_notices(today=TODAY, period="2026-09") == 2
    september = Notice.objects.filter(period="2026-09")
    assert sorted((n.area.code, n.value) for n in september) == [(STREET, 1), (C1, 1)]


def test_the_daily_schedule_and_the_command(dataset, capsys):
    schedule = Schedule.objects.get(name="supervision.propose_notices")
    assert (schedule.func, schedule.schedule_type) == ("supervision.tasks.propose_notices", "D")
    on_time_rule(dataset)
    call_command("propose_notices", "--period", "2026-10", "--today", "2026-11-03")
    assert "1 notices proposed" in capsys.readouterr().out
    call_command("propose_notices", "--period", "2026-10", "--today", "2026-11-03")
    assert "0 notices proposed" in capsys.readouterr().out


# threads propose at once;
# serialized_rollback: the dataset's deadlines need the seeded calendar
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_propose_each_notice_once(sup_world):
    rule(sup_world, name="网格无专职代办员", kind="no_primary_agent", level="community")
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            propose_notices(today=TODAY)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Notice.objects.count() == 1  # c1's grid B


# --- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "kind": "mood", "level": "community"}, "invalid_kind"),
        ({"name": " ", "kind": "figure", "figure": "complaints", "level": "grid"}, "name_required"),
        ({"name": "x", "kind": "figure", "figure": "happiness", "level": "grid"}, "unknown_figure"),
        (
            {"name": "x", "kind": "figure", "figure": "inspection_score", "level": "agent"},
            "unknown_figure",
        ),
        (
            {
                "name": "x",
                "kind": "figure",
                "figure": "complaints",
                "level": "grid",
                "comparison": "eq",
            },
            "invalid_comparison",
        ),
        ({"name": "x", "kind": "no_desk_cover", "level": "agent"}, "invalid_level"),
        (
            {"name": "x", "kind": "no_primary_agent", "level": "grid", "period_kind": "week"},
            "invalid_period_kind",
        ),
    ],
)
def test_bad_rules(sup_world, body, code):
    response = client_for(sup_world["people"]["district"]).post(
        RULES, {"period_kind": "month", **body}, format="json"
    )
    assert error_code(response, 400) == code


@pytest.mark.parametrize("who", ["supervisor", "lead", "manager1"])
def test_only_district_staff_write_rules(sup_world, who):
    body = {"name": "x", "kind": "no_desk_cover", "level": "community", "period_kind": "month"}
    response = client_for(sup_world["people"][who]).post(RULES, body, format="json")
    assert error_code(response, 403) == "permission_denied"
    assert client_for(sup_world["people"][who]).get(RULES).status_code == 200


# --- review and the public list -----------------------------------------------------------------


def test_review_flow_and_the_public_list(dataset, api_client):
    on_time_rule(dataset)
    on_time_rule(dataset, level="agent")
    propose_notices(today=TODAY)
    p = dataset["people"]
    district = client_for(p["district"])
    station = Notice.objects.get(level="community")
    agent = Notice.objects.get(level="agent")
    listed = district.get(NOTICES, {"status": "proposed"}).json()
    assert {n["id"] for n in listed} == {station.pk, agent.pk}
    # nothing is public before it is issued
    assert api_client.get(PUBLIC).json() == []

    response = district.post(f"{NOTICES}{agent.pk}/issue/", {"note": "已核实"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "issued"
    assert error_code(district.post(f"{NOTICES}{agent.pk}/issue/", {}, format="json"), 409) == (
        "illegal_transition"
    )
    assert error_code(
        district.post(f"{NOTICES}{station.pk}/dismiss/", {"reason": " "}, format="json"), 400
    ) == ("reason_required")
    response = district.post(
        f"{NOTICES}{station.pk}/dismiss/", {"reason": "系统割接期间数据不全"}, format="json"
    )
    assert response.json()["status"] == "dismissed"
    station.refresh_from_db()
    assert (
        station.review_note == "系统割接期间数据不全" and station.reviewed_by == p["district"].user
    )
    # a dismissed notice is not proposed again
    assert propose_notices(today=TODAY) == 0

    public = api_client.get(PUBLIC)
    assert public.status_code == 200
    assert public.json() == [
        {
            "id": agent.pk,
            "unit": "一社区中心",
            "area": C1,
            "period": "2026-10",
            "title": "按时办结率低于90%",
            "text": "一社区中心：2026年10月，一名代办员的按时办结率为66.7%，低于90%。",
            "issued_at": public.json()[0]["issued_at"],
        }
    ]
    assert "张一" not in public.content.decode()
    assert len(api_client.get(PUBLIC, {"area": STREET}).json()) == 1
    assert len(api_client.get(PUBLIC, {"area": C1}).json()) == 1
    assert api_client.get(PUBLIC, {"area": C2}).json() == []
    assert error_code(api_client.get(PUBLIC, {"area": "999999999999"}), 404) == "unknown_area"


def test_the_reviewer_may_reword_the_public_text(dataset):
    on_time_rule(dataset)
    propose_notices(today=TODAY)
    notice = Notice.objects.get()
    response = client_for(dataset["people"]["district"]).post(
        f"{NOTICES}{notice.pk}/issue/",
        {"public_text": "一社区10月按时办结率未达标，予以通报批评。"},
        format="json",
    )
    assert response.json()["public_text"] == "一社区10月按时办结率未达标，予以通报批评。"


def test_who_reads_and_who_reviews_notices(dataset):
    on_time_rule(dataset)
    propose_notices(today=TODAY)
    notice = Notice.objects.get()  # about 一社区 (c1)
    p = dataset["people"]
    for who in ("supervisor", "lead", "street", "manager1"):
        client = client_for(p[who])
        assert [n["id"] for n in client.get(NOTICES).json()] == [notice.pk], who
        assert client.get(f"{NOTICES}{notice.pk}/").status_code == 200
        for action, body in (("issue", {}), ("dismiss", {"reason": "不同意"})):
            response = client.post(f"{NOTICES}{notice.pk}/{action}/", body, format="json")
            assert error_code(response, 403) == "permission_denied", who
    # another station's manager: out of scope, like missing
    other = client_for(p["manager2"])
    assert other.get(NOTICES).json() == []
    assert error_code(other.get(f"{NOTICES}{notice.pk}/"), 404) == "unknown_notice"
    response = other.post(f"{NOTICES}{notice.pk}/issue/", {}, format="json")
    assert error_code(response, 404) == "unknown_notice"
    # agents and window staff read no notices
    for who in ("agent1", "window"):
        assert error_code(client_for(p[who]).get(NOTICES), 403) == "permission_denied"
        assert error_code(client_for(p[who]).get(RULES), 403) == "permission_denied"
        response = client_for(p[who]).post(f"{NOTICES}{notice.pk}/issue/", {}, format="json")
        assert error_code(response, 403) == "permission_denied"
    assert error_code(client_for(p["district"]).get(NOTICES, {"status": "x"}), 400) == (
        "invalid_status"
    )
    assert Notice.objects.get().status == "proposed"
