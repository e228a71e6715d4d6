"""Who sees which suggestions and complaints, the public board, the complainant's look-up and
the supervision counts (feedback.selectors)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from core.errors import NotFound
from feedback import selectors, services
from feedback.selectors import FeedbackCounts, counts
from geo.selectors import area_ids_below
from tests.feedback.helpers import PHONE, complaint_about, make_case, suggestion_at

SH = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, 0, tzinfo=SH)


# --- suggestions: scope --------------------------------------------------------------------


@pytest.fixture
def boxes(fb_world):
    tree = fb_world["tree"]
    return {
        "c1": suggestion_at(tree["c1"]),
        "c2": suggestion_at(tree["c2"]),
        "street": suggestion_at(tree["street"]),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("manager1", {"c1"}),
        ("manager2", {"c2"}),
        ("agent1", {"c1"}),  # their own station's box
        ("agent2", {"c2"}),
        ("street", {"c1", "c2", "street"}),  # the street and its stations
        ("lead", {"c1", "c2", "street"}),
        ("district", {"c1", "c2", "street"}),
        ("supervisor", {"c1", "c2", "street"}),
        ("admin", {"c1", "c2", "street"}),
        ("window", set()),
    ],
)
def test_who_sees_which_suggestion_boxes(fb_world, boxes, who, sees):
    visible = set(selectors.suggestions_for(fb_world["people"][who].user))
    assert visible == {boxes[k] for k in sees}


def test_nobody_else_sees_suggestions(fb_world, boxes):
    assert not selectors.suggestions_for(AnonymousUser()).exists()
    assert not selectors.suggestions_for(None).exists()
    stranger = get_user_model().objects.create_user("stranger", password="pw-12345")
    assert not selectors.suggestions_for(stranger).exists()


# --- the public board ----------------------------------------------------------------------


def test_the_board_shows_replied_public_suggestions_of_that_station(fb_world):
    tree, manager = fb_world["tree"], fb_world["people"]["manager1"].user
    shown = suggestion_at(tree["c1"], name="刘阿姨", phone=PHONE)
    hidden = suggestion_at(tree["c1"], text="我家住3号楼，电话……")
    suggestion_at(tree["c1"])  # not yet answered
    other = suggestion_at(tree["c2"])
    services.suggestion_reply(actor=manager, suggestion_id=shown.pk, reply="已改进。")
    services.suggestion_reply(actor=manager, suggestion_id=hidden.pk, reply="已联系", public=False)
    services.suggestion_reply(
        actor=fb_world["people"]["manager2"].user, suggestion_id=other.pk, reply="好"
    )
    assert list(selectors.board_suggestions(code=tree["c1"].code)) == [shown]


@pytest.mark.parametrize("code", ["210000001099", "210000000000", "x"])
def test_the_board_of_an_unknown_station(fb_world, code):
    with pytest.raises(NotFound, match=r"^unknown_station: "):
        selectors.board_suggestions(code=code)


# --- complaints: scope ---------------------------------------------------------------------


@pytest.fixture
def complaints(fb_world):
    people, cases = fb_world["people"], fb_world["cases"]
    return {
        "agent1": complaint_about(staff=people["agent1"]),  # → street centre
        "agent2": complaint_about(staff=people["agent2"]),  # → street centre
        "case_c1": complaint_about(case=cases["c1"]),  # → street centre (agent1 responsible)
        "street": complaint_about(staff=people["street"]),  # → district centre
        "district": complaint_about(staff=people["district"]),  # → district centre
    }


STREET_HANDLED = {"agent1", "agent2", "case_c1"}
ALL = STREET_HANDLED | {"street", "district"}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("street", STREET_HANDLED),  # not the one about themselves: that is the district's
        ("lead", STREET_HANDLED),
        ("district", ALL - {"district"}),  # never a complaint about oneself
        ("supervisor", ALL),
        ("admin", ALL),
        ("manager1", set()),  # stations never see complaints about their people
        ("manager2", set()),
        ("agent1", set()),
        ("agent2", set()),
        ("window", set()),
    ],
)
def test_who_sees_which_complaints(fb_world, complaints, who, sees):
    visible = set(selectors.complaints_for(fb_world["people"][who].user))
    assert visible == {complaints[k] for k in sees}


def test_the_responsible_person_of_a_case_does_not_see_a_complaint_about_it(fb_world):
    people = fb_world["people"]
    case = make_case(
        code="CASELEAD01",
        centre=fb_world["tree"]["c1"].centre,
        responsible=people["lead"],
        item=fb_world["cases"]["c1"].service_item,
    )
    complaint = complaint_about(case=case)
    assert complaint not in selectors.complaints_for(people["lead"].user)
    assert complaint in selectors.complaints_for(people["street"].user)


def test_superusers_see_every_complaint(fb_world, complaints):
    root = get_user_model().objects.create_superuser("root", password="pw-12345")
    assert set(selectors.complaints_for(root)) == set(complaints.values())
    assert not selectors.complaints_for(AnonymousUser()).exists()


# --- complaints: the complainant's look-up ---------------------------------------------------


def test_tracking_needs_the_code_and_the_last_four_digits(fb_world):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    found = selectors.complaint_track(tracking_code=complaint.tracking_code, phone_last4="5678")
    assert found == complaint
    lower = complaint.tracking_code.lower()
    assert selectors.complaint_track(tracking_code=f" {lower} ", phone_last4="5678") == complaint
    for code, digits in [
        (complaint.tracking_code, "5679"),
        (complaint.tracking_code, "678"),
        (complaint.tracking_code, ""),
        (complaint.tracking_code, PHONE),
        ("NOSUCHCODE", "5678"),
    ]:
        with pytest.raises(NotFound, match=r"^unknown_complaint: "):
            selectors.complaint_track(tracking_code=code, phone_last4=digits)


# --- the supervision counts ----------------------------------------------------------------


@pytest.fixture
def october(fb_world):
    """Known answers for October 2026 (received in [1 Oct, 1 Nov))."""
    tree, people = fb_world["tree"], fb_world["people"]
    manager1 = people["manager1"].user
    # C1: three in October, two of them answered; one in September; one on 1 November
    c1 = [suggestion_at(tree["c1"], now=at(10, d)) for d in (1, 15, 31)]
    for s in c1[:2]:
        services.suggestion_reply(actor=manager1, suggestion_id=s.pk, reply="好")
    old = suggestion_at(tree["c1"], now=at(9, 30))
    services.suggestion_reply(actor=manager1, suggestion_id=old.pk, reply="好")
    suggestion_at(tree["c1"], now=datetime(2026, 11, 1, 0, 0, tzinfo=SH))
    # C2: one in October, unanswered
    suggestion_at(tree["c2"], now=at(10, 20))

    def closed(complaint, outcome):
        for action, payload in [
            ("investigate", {}),
            ("reply", {"reply": "答复"}),
            ("close", {"outcome": outcome}),
        ]:
            services.complaint_act(
                actor=people["district"].user,
                complaint_id=complaint.pk,
                action=action,
                payload=payload,
            )

    # the street centre: four in October (upheld, partly, not upheld, still open), one in September
    for outcome in ("upheld", "partly_upheld", "not_upheld"):
        closed(complaint_about(staff=people["agent1"], now=at(10, 10)), outcome)
    complaint_about(staff=people["agent2"], now=at(10, 11))
    closed(complaint_about(staff=people["agent2"], now=at(9, 11)), "upheld")
    # the district centre: one in October about street staff, upheld
    closed(complaint_about(staff=people["street"], now=at(10, 12)), "upheld")
    return fb_world


def test_counts_per_centre_with_known_answers(october, django_assert_num_queries):
    tree = october["tree"]
    everything = area_ids_below({tree["district"].pk})
    with django_assert_num_queries(2):  # one aggregate query each
        result = counts(everything, at(10, 1, 0), datetime(2026, 11, 1, 0, 0, tzinfo=SH))
    assert result == {
        tree["c1"].centre.pk: FeedbackCounts(suggestions_received=3, suggestions_replied=2),
        tree["c2"].centre.pk: FeedbackCounts(suggestions_received=1, suggestions_replied=0),
        tree["street"].centre.pk: FeedbackCounts(
            complaints_received=4, complaints_upheld=1, complaints_partly_upheld=1
        ),
        tree["district"].centre.pk: FeedbackCounts(complaints_received=1, complaints_upheld=1),
    }


def test_counts_keep_to_the_areas_and_the_period(october):
    tree = october["tree"]
    result = counts([tree["c1"].pk], at(9, 1, 0), at(10, 1, 0))
    assert result == {
        tree["c1"].centre.pk: FeedbackCounts(suggestions_received=1, suggestions_replied=1)
    }
    street_only = counts([tree["street"].pk], at(9, 1, 0), at(10, 1, 0))
    assert street_only == {
        tree["street"].centre.pk: FeedbackCounts(complaints_received=1, complaints_upheld=1)
    }
    assert counts([], at(1, 1, 0), at(12, 1, 0)) == {}
