"""The suggestion box and complaint rules (feedback.services): every rule, each way it fails."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, transaction

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from feedback import services
from feedback.models import Complaint, ComplaintEvent, Suggestion
from notifications.models import Notification
from tests.feedback.helpers import PHONE, complaint_about, make_case, suggestion_at

SH = ZoneInfo("Asia/Shanghai")
S = Complaint.Status


def raises(exc_type, code):
    """pytest.raises for an ApplicationError of this type with this stable code."""
    return pytest.raises(exc_type, match=rf"^{code}: ")


# --- suggestions: intake -------------------------------------------------------------------


def test_an_anonymous_suggestion_is_new_and_public_by_default(fb_world):
    suggestion = suggestion_at(fb_world["tree"]["c1"], text="  希望增加周末受理。 ")
    assert suggestion.station == fb_world["tree"]["c1"].centre
    assert suggestion.text == "希望增加周末受理。"
    assert (suggestion.name, suggestion.phone) == ("", "")
    assert suggestion.status == Suggestion.Status.NEW and suggestion.public is True
    assert suggestion.created_at is not None and suggestion.replied_at is None


def test_a_named_suggestion_keeps_a_normalised_phone(fb_world):
    suggestion = suggestion_at(fb_world["tree"]["c1"], name="刘阿姨", phone="+86 139-1234-5678")
    assert (suggestion.name, suggestion.phone) == ("刘阿姨", PHONE)


def test_a_street_centre_has_a_suggestion_box_too(fb_world):
    suggestion = suggestion_at(fb_world["tree"]["street"])
    assert suggestion.station == fb_world["tree"]["street"].centre


def test_a_short_division_code_finds_the_station(fb_world):
    suggestion = services.suggestion_create(station_code="210000001", text="意见")
    assert suggestion.station == fb_world["tree"]["street"].centre


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"phone": "12345"}, "invalid_phone", "phone"),
        ({"phone": "12912345678"}, "invalid_phone", "phone"),  # 12x is no mobile prefix
        ({"text": ""}, "text_required", "text"),
        ({"text": "   \n "}, "text_required", "text"),
        ({"text": "长" * 2001}, "text_too_long", "text"),
        ({"name": "名" * 51}, "name_too_long", "name"),
    ],
)
def test_bad_suggestions_are_refused(fb_world, overrides, code, field):
    with raises(ApplicationError, code) as info:
        suggestion_at(fb_world["tree"]["c1"], **overrides)
    assert info.value.status == 400 and info.value.details["field"] == field
    assert not Suggestion.objects.exists()


def test_2000_characters_are_enough(fb_world):
    assert len(suggestion_at(fb_world["tree"]["c1"], text="长" * 2000).text) == 2000


@pytest.mark.parametrize(
    "station_code",
    [
        "210000001099",  # no such community
        "210000000000",  # the district centre has no suggestion box of its own
        "not-a-code",
        "",
    ],
)
def test_a_suggestion_needs_an_existing_station_or_street_centre(fb_world, station_code):
    with raises(ApplicationError, "unknown_station") as info:
        services.suggestion_create(station_code=station_code, text="意见")
    assert info.value.details == {"field": "station"}


# --- suggestions: replies ------------------------------------------------------------------


def test_the_station_manager_replies_and_the_suggester_gets_a_text(fb_world):
    people = fb_world["people"]
    suggestion = suggestion_at(fb_world["tree"]["c1"], phone=PHONE)
    at = datetime(2026, 10, 8, 10, 0, tzinfo=SH)
    services.suggestion_reply(
        actor=people["manager1"].user,
        suggestion_id=suggestion.pk,
        reply="已安排每月第一个周六受理。",
        public=False,
        now=at,
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REPLIED
    assert suggestion.reply == "已安排每月第一个周六受理。"
    assert suggestion.replied_by == people["manager1"].user and suggestion.replied_at == at
    assert suggestion.public is False
    text = Notification.objects.get(kind="suggestion_replied")
    assert text.recipient is None and text.phone == PHONE
    assert text.body == "已安排每月第一个周六受理。"


def test_an_anonymous_suggestion_is_answered_on_the_board_only(fb_world):
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    services.suggestion_reply(
        actor=fb_world["people"]["manager1"].user, suggestion_id=suggestion.pk, reply="好的"
    )
    assert not Notification.objects.filter(kind="suggestion_replied").exists()


@pytest.mark.parametrize("who", ["manager1", "street", "lead", "district", "admin"])
def test_who_may_reply(fb_world, who):
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    services.suggestion_reply(
        actor=fb_world["people"][who].user, suggestion_id=suggestion.pk, reply="好的"
    )
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.REPLIED


@pytest.mark.parametrize(
    ("who", "error", "code"),
    [
        ("agent1", PermissionDenied, "permission_denied"),  # sees their station's box, reads only
        ("supervisor", PermissionDenied, "permission_denied"),  # sees all, reads only
        ("manager2", NotFound, "unknown_suggestion"),  # another station
        ("agent2", NotFound, "unknown_suggestion"),
        ("window", NotFound, "unknown_suggestion"),
    ],
)
def test_who_may_not_reply(fb_world, who, error, code):
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    with raises(error, code):
        services.suggestion_reply(
            actor=fb_world["people"][who].user, suggestion_id=suggestion.pk, reply="好的"
        )
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.NEW


def test_a_reply_is_required(fb_world):
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    with raises(ApplicationError, "reply_required"):
        services.suggestion_reply(
            actor=fb_world["people"]["manager1"].user, suggestion_id=suggestion.pk, reply="  "
        )
    with raises(ApplicationError, "reply_too_long"):
        services.suggestion_reply(
            actor=fb_world["people"]["manager1"].user,
            suggestion_id=suggestion.pk,
            reply="长" * 2001,
        )
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.NEW


def test_a_suggestion_is_answered_once(fb_world):
    manager = fb_world["people"]["manager1"].user
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    services.suggestion_reply(actor=manager, suggestion_id=suggestion.pk, reply="第一次")
    with raises(Conflict, "already_replied"):
        services.suggestion_reply(actor=manager, suggestion_id=suggestion.pk, reply="第二次")
    assert Suggestion.objects.get(pk=suggestion.pk).reply == "第一次"


def test_a_manager_hides_and_shows_a_suggestion(fb_world):
    manager = fb_world["people"]["manager1"].user
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    services.suggestion_set_public(actor=manager, suggestion_id=suggestion.pk, public=False)
    assert Suggestion.objects.get(pk=suggestion.pk).public is False
    services.suggestion_set_public(actor=manager, suggestion_id=suggestion.pk, public=True)
    assert Suggestion.objects.get(pk=suggestion.pk).public is True
    with raises(PermissionDenied, "permission_denied"):
        services.suggestion_set_public(
            actor=fb_world["people"]["supervisor"].user, suggestion_id=suggestion.pk, public=False
        )
    with raises(NotFound, "unknown_suggestion"):
        services.suggestion_set_public(
            actor=fb_world["people"]["manager2"].user, suggestion_id=suggestion.pk, public=False
        )


def test_the_database_refuses_a_replied_suggestion_without_a_reply(fb_world):
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    with pytest.raises(DatabaseError), transaction.atomic():
        Suggestion.objects.filter(pk=suggestion.pk).update(status="replied")


# --- complaints: where they go -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "centre"),
    [
        ("agent1", "street"),  # a station's agent → the street/town centre above
        ("agent2", "street"),
        ("manager1", "street"),  # the station manager too
        ("street", "district"),  # street/town centre people → the district
        ("lead", "district"),
        ("district", "district"),
        ("supervisor", "district"),
        ("window", "district"),  # approval-window staff belong to no centre
    ],
)
def test_a_complaint_goes_to_the_centre_above_the_person(fb_world, who, centre):
    complaint = complaint_about(staff=fb_world["people"][who])
    assert complaint.centre == fb_world["tree"][centre].centre


def test_a_complaint_about_a_case_goes_by_the_case_station(fb_world):
    tree, cases = fb_world["tree"], fb_world["cases"]
    assert complaint_about(case=cases["c1"]).centre == tree["street"].centre
    assert complaint_about(case=cases["street"]).centre == tree["district"].centre


def test_a_named_person_decides_over_the_case(fb_world):
    complaint = complaint_about(staff=fb_world["people"]["street"], case=fb_world["cases"]["c1"])
    assert complaint.centre == fb_world["tree"]["district"].centre
    assert complaint.case == fb_world["cases"]["c1"]


# --- complaints: intake --------------------------------------------------------------------


def test_a_complaint_is_received_with_a_tracking_code_an_event_and_notifications(fb_world):
    people = fb_world["people"]
    complaint = complaint_about(staff=people["agent1"], complainant_phone="139 1234 5678")
    assert complaint.status == S.RECEIVED and complaint.complainant_phone == PHONE
    assert len(complaint.tracking_code) == 10 and complaint.tracking_code.isalnum()
    (event,) = complaint.events.all()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "receive",
        "",
        "received",
        None,
    )
    told = set(
        Notification.objects.filter(kind="complaint_received").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"street", "lead"}  # the handling centre's staff and lead, nobody else
    note = Notification.objects.filter(kind="complaint_received").first()
    assert note.data == {"complaint": complaint.pk} and complaint.tracking_code in note.title


def test_a_complaint_about_street_staff_is_told_to_the_district_not_the_street(fb_world):
    complaint_about(staff=fb_world["people"]["street"])
    told = set(
        Notification.objects.filter(kind="complaint_received").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"district"}


def test_the_person_complained_about_is_never_told(fb_world):
    complaint_about(staff=fb_world["people"]["district"])
    assert not Notification.objects.filter(
        kind="complaint_received", recipient=fb_world["people"]["district"].user
    ).exists()


def test_a_case_code_is_matched_whatever_its_case(fb_world):
    complaint = services.complaint_create(
        actor=None,
        case_code=" casec1a001 ",
        complainant_name="陈投诉",
        complainant_phone=PHONE,
        text="材料丢了。",
    )
    assert complaint.case == fb_world["cases"]["c1"] and complaint.staff is None


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"complainant_name": " "}, "complainant_name_required", "complainant_name"),
        ({"complainant_name": "名" * 51}, "complainant_name_too_long", "complainant_name"),
        ({"complainant_phone": ""}, "invalid_phone", "complainant_phone"),
        ({"complainant_phone": "010-12345678"}, "invalid_phone", "complainant_phone"),
        ({"text": ""}, "text_required", "text"),
        ({"text": "长" * 2001}, "text_too_long", "text"),
        ({"staff_id": 999_999}, "unknown_staff", "staff"),
        ({"staff_id": None, "case_code": "NOSUCHCASE"}, "unknown_case", "case"),
    ],
)
def test_bad_complaints_are_refused(fb_world, overrides, code, field):
    data = {
        "actor": None,
        "staff_id": fb_world["people"]["agent1"].pk,
        "complainant_name": "陈投诉",
        "complainant_phone": PHONE,
        "text": "态度不好。",
        **overrides,
    }
    with raises(ApplicationError, code) as info:
        services.complaint_create(**data)
    assert info.value.status == 400 and info.value.details["field"] == field
    assert not Complaint.objects.exists() and not Notification.objects.exists()


def test_a_complaint_is_about_someone_or_some_case(fb_world):
    with raises(ApplicationError, "subject_required"):
        services.complaint_create(
            actor=None, complainant_name="陈投诉", complainant_phone=PHONE, text="不满意。"
        )


# --- complaints: the transition table ------------------------------------------------------


def _advance(complaint, to_state, actor):
    """Walk a complaint along the table to `to_state`."""
    steps = {
        S.INVESTIGATING: [("investigate", {})],
        S.REPLIED: [("investigate", {}), ("reply", {"reply": "已核实并批评教育。"})],
        S.CLOSED: [
            ("investigate", {}),
            ("reply", {"reply": "已核实并批评教育。"}),
            ("close", {"outcome": "upheld"}),
        ],
    }
    for action, payload in steps.get(to_state, []):
        services.complaint_act(
            actor=actor, complaint_id=complaint.pk, action=action, payload=payload
        )
    complaint.refresh_from_db()
    assert complaint.status == to_state
    return complaint


def test_received_investigating_replied_closed(fb_world):
    lead = fb_world["people"]["lead"].user
    t0 = datetime(2026, 10, 7, 20, 0, tzinfo=SH)
    complaint = complaint_about(staff=fb_world["people"]["agent1"], now=t0)
    assert complaint.created_at == t0
    t1 = datetime(2026, 10, 8, 10, 0, tzinfo=SH)
    t2 = datetime(2026, 10, 9, 10, 0, tzinfo=SH)
    t3 = datetime(2026, 10, 12, 10, 0, tzinfo=SH)
    services.complaint_act(
        actor=lead, complaint_id=complaint.pk, action="investigate", payload={}, now=t1
    )
    services.complaint_act(
        actor=lead,
        complaint_id=complaint.pk,
        action="reply",
        payload={"reply": "已约谈代办员，今后准时上门。"},
        now=t2,
    )
    services.complaint_act(
        actor=lead,
        complaint_id=complaint.pk,
        action="close",
        payload={"outcome": "partly_upheld", "note": "迟到属实，态度问题未查实。"},
        now=t3,
    )
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED
    assert complaint.reply == "已约谈代办员，今后准时上门。"
    assert complaint.replied_by == lead and complaint.replied_at == t2
    assert complaint.outcome == "partly_upheld" and complaint.closed_at == t3
    assert complaint.outcome_note == "迟到属实，态度问题未查实。"
    steps = list(complaint.events.values_list("action", "from_status", "to_status", "actor", "at"))
    assert steps == [
        ("receive", "", "received", None, t0),
        ("investigate", "received", "investigating", lead.pk, t1),
        ("reply", "investigating", "replied", lead.pk, t2),
        ("close", "replied", "closed", lead.pk, t3),
    ]
    assert complaint.events.get(action="reply").note == "已约谈代办员，今后准时上门。"
    assert complaint.events.get(action="close").note.startswith("partly_upheld")


def test_the_complainant_gets_the_reply_by_text(fb_world):
    complaint = _advance(
        complaint_about(staff=fb_world["people"]["agent1"]),
        S.REPLIED,
        fb_world["people"]["street"].user,
    )
    text = Notification.objects.get(kind="complaint_replied")
    assert text.recipient is None and text.phone == PHONE
    assert text.body == "已核实并批评教育。"
    assert text.data == {"complaint": complaint.pk, "tracking_code": complaint.tracking_code}


ILLEGAL = [
    (action, state)
    for action, spec in services.TRANSITIONS.items()
    for state in S.values
    if state not in spec.from_states
]


def test_the_table_is_the_linear_path():
    assert {a: (set(t.from_states), t.to_state) for a, t in services.TRANSITIONS.items()} == {
        "investigate": ({"received"}, "investigating"),
        "reply": ({"investigating"}, "replied"),
        "close": ({"replied"}, "closed"),
    }
    assert len(ILLEGAL) == 9


@pytest.mark.parametrize(("action", "state"), ILLEGAL)
def test_illegal_transitions_are_refused(fb_world, action, state):
    street = fb_world["people"]["street"].user
    complaint = _advance(complaint_about(staff=fb_world["people"]["agent1"]), state, street)
    events = complaint.events.count()
    payload = {"reply": "答复", "outcome": "upheld"}
    with raises(Conflict, "illegal_transition") as info:
        services.complaint_act(
            actor=street, complaint_id=complaint.pk, action=action, payload=payload
        )
    assert info.value.details == {"status": state, "action": action}
    complaint.refresh_from_db()
    assert complaint.status == state and complaint.events.count() == events


@pytest.mark.parametrize(
    ("state", "action", "payload", "code"),
    [
        (S.INVESTIGATING, "reply", {}, "reply_required"),
        (S.INVESTIGATING, "reply", {"reply": "  "}, "reply_required"),
        (S.REPLIED, "close", {}, "outcome_required"),
        (S.REPLIED, "close", {"outcome": "dismissed"}, "invalid_outcome"),
        (S.REPLIED, "close", {"outcome": "upheld", "note": "长" * 501}, "note_too_long"),
    ],
)
def test_an_action_needs_its_input(fb_world, state, action, payload, code):
    street = fb_world["people"]["street"].user
    complaint = _advance(complaint_about(staff=fb_world["people"]["agent1"]), state, street)
    with raises(ApplicationError, code):
        services.complaint_act(
            actor=street, complaint_id=complaint.pk, action=action, payload=payload
        )
    complaint.refresh_from_db()
    assert complaint.status == state


def test_an_unknown_action(fb_world):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    with raises(NotFound, "unknown_action") as info:
        services.complaint_act(
            actor=fb_world["people"]["street"].user,
            complaint_id=complaint.pk,
            action="dismiss",
            payload={},
        )
    assert info.value.details == {"allowed": ["close", "investigate", "reply"]}


@pytest.mark.parametrize("who", ["street", "lead", "district", "admin"])
def test_who_may_act(fb_world, who):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    services.complaint_act(
        actor=fb_world["people"][who].user,
        complaint_id=complaint.pk,
        action="investigate",
        payload={},
    )
    assert Complaint.objects.get(pk=complaint.pk).status == S.INVESTIGATING


@pytest.mark.parametrize(
    ("who", "error", "code"),
    [
        ("supervisor", PermissionDenied, "permission_denied"),  # reads only
        ("agent1", NotFound, "unknown_complaint"),  # the person complained about
        ("manager1", NotFound, "unknown_complaint"),  # their station manager
        ("agent2", NotFound, "unknown_complaint"),
        ("manager2", NotFound, "unknown_complaint"),
        ("window", NotFound, "unknown_complaint"),
    ],
)
@pytest.mark.parametrize("action", ["investigate", "reply", "close"])
def test_who_may_not_act(fb_world, who, error, code, action):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    with raises(error, code):
        services.complaint_act(
            actor=fb_world["people"][who].user,
            complaint_id=complaint.pk,
            action=action,
            payload={"reply": "答复", "outcome": "upheld"},
        )
    assert complaint.events.count() == 1


def test_street_centre_people_do_not_act_on_complaints_about_their_own(fb_world):
    people = fb_world["people"]
    complaint = complaint_about(staff=people["street"])
    for who in ("street", "lead"):
        with raises(NotFound, "unknown_complaint"):
            services.complaint_act(
                actor=people[who].user,
                complaint_id=complaint.pk,
                action="investigate",
                payload={},
            )
    services.complaint_act(
        actor=people["district"].user, complaint_id=complaint.pk, action="investigate", payload={}
    )


def test_nobody_handles_a_complaint_about_themselves(fb_world):
    """Even where their role would let them: the case's responsible person is its subject."""
    people = fb_world["people"]
    odd_case = make_case(
        code="CASELEAD01",
        centre=fb_world["tree"]["c1"].centre,
        responsible=people["lead"],
        item=fb_world["cases"]["c1"].service_item,
    )
    complaint = complaint_about(case=odd_case)
    assert complaint.centre == fb_world["tree"]["street"].centre
    with raises(NotFound, "unknown_complaint"):
        services.complaint_act(
            actor=people["lead"].user, complaint_id=complaint.pk, action="investigate", payload={}
        )
    assert not Notification.objects.filter(recipient=people["lead"].user).exists()


# --- complaints: history is kept -------------------------------------------------------------


def test_complaint_events_and_complaints_are_never_changed_or_deleted(fb_world):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    event = ComplaintEvent.objects.get(complaint=complaint)
    with pytest.raises(DatabaseError), transaction.atomic():
        ComplaintEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        ComplaintEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).delete()
    assert ComplaintEvent.objects.get(pk=event.pk).note == ""


def test_the_database_refuses_a_complaint_about_nobody(fb_world):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    with pytest.raises(DatabaseError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(staff=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(status="closed")
