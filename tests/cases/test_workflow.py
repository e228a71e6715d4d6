"""The case state machine end to end, and every transition refused from every state it must
refuse (409 illegal_transition, nothing changed)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cases import actions
from cases.models import Case, CaseEvent, Holder, RegisterEntry, Status
from core.errors import ApplicationError, Conflict, PermissionDenied
from notifications.models import Notification
from tests.cases.conftest import ALL_PROVIDED, SH, accepted_case, act, open_walk_in
from tests.workdays.helpers import forget_years

pytestmark = pytest.mark.django_db


def test_walk_in_case_is_the_openers_and_starts_in_pre_review(case_world):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    assert case.status == Status.CONSULTING
    assert case.responsible == agent  # 首问负责
    assert case.origin == "station_desk"
    assert case.centre == agent.centre
    assert len(case.tracking_code) == 10
    assert case.window.code == "MZJ-01"
    assert [e.action for e in case.events.all()] == ["open"]


def test_centre_staff_open_directly_at_the_street_centre(case_world):
    street = case_world["people"]["street"]
    case = open_walk_in(street)
    assert case.origin == "centre"
    assert case.centre == street.centre
    assert case.responsible == street


def test_the_full_path_accept_handle_reply(case_world):
    p = case_world["people"]
    agent, window = p["agent1"], p["window"]
    case = open_walk_in(agent)
    case = act(agent, case, "review", checklist=ALL_PROVIDED)
    assert case.status == Status.CONSULTING
    case = act(agent, case, "accept", originals=[{"name": "户口簿", "material_key": "hukou"}])
    assert case.status == Status.ACCEPTED
    # Thu 24 Sep + 5 working days: Mid-Autumn 25–27 Sep, then 28, 29, 30 Sep, National Day
    # 1–7 Oct, then Thu 8 and Fri 9 Oct
    assert case.due_date == date(2026, 10, 9)
    assert not case.due_provisional
    entry = case.register_entries.get()
    assert (entry.year, entry.serial, entry.kind) == (2026, 1, "acceptance")
    assert entry.street_centre == case_world["tree"]["street"].centre
    assert entry.content["originals"] == [{"name": "户口簿"}]
    assert len(case.return_code) == 6
    case = act(agent, case, "fee", name="工本费", amount="10")
    case = act(agent, case, "forward")
    original = case.originals.get()
    case = act(agent, case, "custody", original=original.pk, holder="window", person="窗口收件人")
    case = act(window, case, "receive")
    case = act(window, case, "result_ready")
    assert Notification.objects.filter(recipient=agent.user, kind="case_result_ready").exists()
    case = act(agent, case, "collect")
    case = act(agent, case, "custody", original=original.pk, holder="agent")
    case = act(agent, case, "return", return_code=case.return_code)
    assert case.status == Status.RETURNED
    with pytest.raises(Conflict) as out:
        act(agent, case, "close", rating=5)
    assert out.value.code == "originals_outstanding"
    case = act(agent, case, "custody", original=original.pk, holder="resident", person="王五")
    case = act(agent, case, "close", rating=5, comment="很方便")
    assert (case.status, case.rating) == (Status.CLOSED, 5)
    assert [e.action for e in case.events.all()] == [
        "open",
        "review",
        "accept",
        "fee",
        "forward",
        "custody",
        "receive",
        "result_ready",
        "collect",
        "custody",
        "return",
        "custody",
        "close",
    ]
    holders = [(t.from_holder, t.to_holder) for t in original.transfers.all()]
    assert holders == [
        (Holder.RESIDENT, Holder.AGENT),
        (Holder.AGENT, Holder.WINDOW),
        (Holder.WINDOW, Holder.AGENT),
        (Holder.AGENT, Holder.RESIDENT),
    ]


def test_missing_papers_wait_and_the_applicant_is_told_exactly_what(case_world):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    checklist = {"id_card": "provided", "hukou": "missing", "photo": "not_applicable"}
    case = act(agent, case, "review", checklist=checklist)
    assert case.status == Status.AWAITING_PAPERS
    sms = Notification.objects.get(phone="13912345678", kind="papers_missing")
    assert "户口簿" in sms.body and "居民身份证" not in sms.body
    assert sms.data["missing"] == ["hukou"]
    with pytest.raises(Conflict) as out:
        act(agent, case, "accept")
    assert out.value.code == "papers_missing"
    case = act(agent, case, "accept", checklist={**checklist, "hukou": "provided"})
    assert case.status == Status.ACCEPTED


@pytest.mark.parametrize(
    ("checklist", "code"),
    [
        ({"id_card": "provided"}, "incomplete_checklist"),
        ({**ALL_PROVIDED, "passport": "provided"}, "unknown_material"),
        ({**ALL_PROVIDED, "photo": "maybe"}, "invalid_checklist"),
        (["id_card"], "invalid_checklist"),
    ],
)
def test_bad_checklists_are_refused_and_nothing_changes(case_world, checklist, code):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "review", checklist=checklist)
    assert out.value.code == code
    case.refresh_from_db()
    assert (case.status, case.checklist, case.version) == (Status.CONSULTING, {}, 1)


def test_accept_without_a_pre_review_is_refused(case_world):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "accept")
    assert out.value.code == "checklist_required"
    assert not RegisterEntry.objects.exists()


def test_decline_needs_a_reason_which_the_applicant_is_shown(case_world):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "decline", reason="  ")
    assert out.value.code == "missing_reason"
    case = act(agent, case, "decline", reason="申请人户籍不在本区，不符合办理条件")
    assert case.status == Status.DECLINED
    assert Notification.objects.get(kind="case_declined").body.startswith("申请人户籍")


def test_a_department_refusal_carries_its_reason_back(case_world):
    p = case_world["people"]
    case = accepted_case(case_world)
    act(p["agent1"], case, "forward")
    act(p["window"], case, "receive")
    with pytest.raises(ApplicationError):
        act(p["window"], case, "refuse")
    case = act(p["window"], case, "refuse", reason="残疾等级评定未达标准")
    assert case.status == Status.REFUSED
    assert Notification.objects.filter(phone=case.applicant_phone, kind="case_refused").exists()
    case = act(p["agent1"], case, "collect")
    case = act(p["agent1"], case, "return", return_code=case.return_code)
    assert case.events.last().data["refusal_reason"] == "残疾等级评定未达标准"


def test_return_needs_the_applicants_code_or_signature(case_world):
    p = case_world["people"]
    case = accepted_case(case_world)
    Case.objects.filter(pk=case.pk).update(status=Status.COLLECTED)
    with pytest.raises(ApplicationError) as out:
        act(p["agent1"], case, "return")
    assert out.value.code == "return_unconfirmed"
    wrong = "000000" if case.return_code != "000000" else "111111"
    with pytest.raises(ApplicationError) as out:
        act(p["agent1"], case, "return", return_code=wrong)
    assert out.value.code == "wrong_return_code"
    case.refresh_from_db()
    assert case.status == Status.COLLECTED and case.returned_at is None


@pytest.mark.parametrize("rating", [0, 6, "5", True])
def test_ratings_are_whole_numbers_1_to_5(case_world, rating):
    p = case_world["people"]
    case = accepted_case(case_world)
    Case.objects.filter(pk=case.pk).update(status=Status.RETURNED)
    with pytest.raises(ApplicationError) as out:
        act(p["agent1"], case, "close", rating=rating)
    assert out.value.code == "invalid_rating"


def test_only_legally_required_fees_are_recorded(case_world):
    agent = case_world["people"]["agent1"]
    case = accepted_case(case_world)
    for name, amount, code in [
        ("代办费", "5", "fee_not_allowed"),  # free proxy: no service charge
        ("工本费", "12", "fee_not_allowed"),  # above the legal amount
        ("工本费", "-1", "invalid_amount"),
        ("工本费", "abc", "invalid_amount"),
        ("工本费", "1.234", "invalid_amount"),
    ]:
        with pytest.raises(ApplicationError) as out:
            act(agent, case, "fee", name=name, amount=amount)
        assert out.value.code == code, (name, amount)
    assert not case.fees.exists()
    act(agent, case, "fee", name="工本费", amount="10.00")
    assert case.fees.get().legal_basis == "《残疾人证管理办法》"


def test_custody_moves_follow_the_chain(case_world):
    agent = case_world["people"]["agent1"]
    case = accepted_case(case_world)
    act(agent, case, "custody", name="居民身份证", material_key="id_card")
    original = case.originals.get()
    assert original.holder == Holder.AGENT
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "custody", original=original.pk, holder="agent")
    assert out.value.code == "invalid_custody_move"
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "custody", original=original.pk, holder="nobody")
    assert out.value.code == "invalid_holder"
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "custody", original=999999, holder="centre")
    assert out.value.code == "unknown_original"
    with pytest.raises(ApplicationError) as out:
        act(agent, case, "custody")
    assert out.value.code == "missing_original"


def test_hand_over_is_the_only_way_responsibility_moves(case_world):
    p = case_world["people"]
    case = accepted_case(case_world)
    with pytest.raises(ApplicationError) as out:
        act(p["agent1"], case, "hand_over", to=p["agent1"].pk)
    assert out.value.code == "same_agent"
    with pytest.raises(ApplicationError) as out:
        act(p["agent1"], case, "hand_over", to=p["manager1"].pk)  # not an agent
    assert out.value.code == "unknown_agent"
    with pytest.raises(ApplicationError) as out:  # another station's agent: not the manager's
        act(p["manager1"], case, "hand_over", to=p["agent2"].pk)
    assert out.value.code == "unknown_agent"
    case = act(p["street"], case, "hand_over", to=p["agent2"].pk, note="李二熟悉情况")
    assert case.responsible == p["agent2"]
    event = case.events.last()
    assert event.action == "hand_over" and event.data == {
        "from": p["agent1"].pk,
        "to": p["agent2"].pk,
    }


def test_who_may_take_each_action(case_world):
    p = case_world["people"]
    case = accepted_case(case_world)
    for who in ("agent2", "supervisor", "window", "manager2"):
        with pytest.raises((PermissionDenied, ApplicationError)) as out:
            act(p[who], case, "forward")
        assert out.value.status in (403, 404), who
    act(p["manager1"], case, "forward")  # the station manager may act for the agent
    # window steps: the item's window staff, or street centre staff on their behalf
    for who in ("agent1", "manager1", "other_window", "supervisor"):
        with pytest.raises(ApplicationError) as out:
            act(p[who], case, "receive")
        assert out.value.status in (403, 404), who
    act(p["street"], case, "receive")
    act(p["window"], case, "result_ready")


ALLOWED = {name: spec.from_states for name, spec in actions.ACTIONS.items()}


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_every_action_is_refused_from_every_state_it_does_not_start_from(case_world, action):
    district = case_world["people"]["district"]  # may take every action: only the state refuses
    case = accepted_case(case_world)
    refused = [s for s in Status.values if s not in ALLOWED[action]]
    assert refused
    for state in refused:
        Case.objects.filter(pk=case.pk).update(status=state, decline_reason="x")
        events = CaseEvent.objects.filter(case=case).count()
        with pytest.raises(Conflict) as out:
            act(
                district,
                case,
                action,
                reason="x",
                checklist=ALL_PROVIDED,
                to=1,
                name="n",
                amount="1",
            )
        assert out.value.code == "illegal_transition", state
        assert out.value.details == {"status": state, "action": action}
        case.refresh_from_db()
        assert case.status == state
        assert CaseEvent.objects.filter(case=case).count() == events


def test_events_record_the_phone_position(case_world):
    from tests.geo.helpers import point

    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    actions.case_act(
        actor=agent.user,
        case_id=case.pk,
        action="review",
        payload={"checklist": ALL_PROVIDED},
        position=point(120, 130),
        now=datetime(2026, 9, 24, 11, 0, tzinfo=SH),
    )
    assert case.events.last().position is not None


def test_the_due_date_is_provisional_in_an_unpublished_year(case_world):
    agent = case_world["people"]["agent1"]
    forget_years(2027, 2028)
    case = accepted_case(case_world, now=datetime(2027, 12, 27, 9, 0, tzinfo=SH))
    assert case.due_provisional  # 2027's and 2028's holidays are not published
    assert case.due_date == date(2028, 1, 3)  # weekends only, provisionally
    assert agent == case.responsible


def test_an_accepted_date_before_the_adjusted_saturday_counts_it(case_world):
    # Friday 9 Oct 2026 + 5 working days: Saturday 10 Oct is an adjusted working day (调休),
    # then Monday 12 to Thursday 15
    case = accepted_case(case_world, now=datetime(2026, 10, 9, 10, 0, tzinfo=SH))
    assert case.due_date == date(2026, 10, 15)
