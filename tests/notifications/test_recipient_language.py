"""Messages are written in the recipient's language, not the language of whoever clicked: a
member of staff reads theirs in the language of their profile (zh-hans unless they chose
otherwise on /api/v1/me/), a resident's text messages are always in Chinese."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from appointments import actions as appointment_actions
from appointments import backlog as appointment_backlog
from appointments.models import Status
from notifications.models import Notification
from people.models import Staff
from tests.appointments.helpers import book, queue_backlog
from tests.factories import client_for
from tests.geo.helpers import lonlat
from tests.worlds.appointments import NOW, future_window
from tests.worlds.cases import ALL_PROVIDED, act, open_walk_in

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def accepting(language: str) -> dict:
    return {"HTTP_ACCEPT_LANGUAGE": language}


def speaks(staff: Staff, language: str | None) -> None:
    """`language` None: the profile as created (the default)."""
    if language is not None:
        Staff.objects.filter(pk=staff.pk).update(language=language)


# --- appointments: the routed agent, the station's managers --------------------------------


def booking(**extra) -> dict:
    start, end = future_window()
    return {
        "service_item": "MZ-001",
        "applicant_name": "张三",
        "applicant_phone": "13800001234",
        "location": {"type": "Point", "coordinates": list(lonlat(100, 100))},
        "address": "测试地址",
        "channel": "phone",
        "preferred_start": start.isoformat(),
        "preferred_end": end.isoformat(),
        **extra,
    }


ROUTED_ZH = ("新预约 ", "测试地址 的高龄津贴申请，请确认或拒绝。")
ROUTED_EN = ("New appointment ", "高龄津贴申请 at 测试地址; please confirm or decline.")


@pytest.mark.parametrize(
    ("language", "clicked_in", "texts"),
    [
        (None, "en", ROUTED_ZH),  # the default profile
        ("zh-hans", "en", ROUTED_ZH),
        ("en", "en", ROUTED_EN),
        ("en", "zh-hans", ROUTED_EN),
    ],
)
def test_a_booking_entered_by_staff_tells_the_agent_in_the_agents_language(
    routed_world,
    language,
    clicked_in,
    texts,
):
    """The station manager takes a phone call on a browser set to another language: the
    agent's notice, written by routing's one statement, is in the agent's language."""
    p = routed_world["people"]
    speaks(p["agent1"], language)
    response = client_for(p["manager1"]).post(
        "/api/v1/appointments/", booking(), format="json", **accepting(clicked_in)
    )
    assert response.status_code == 201, response.content
    code = response.json()["tracking_code"]
    notice = Notification.objects.get(recipient=p["agent1"].user, kind="appointment_routed")
    title, body = texts
    assert (notice.title, notice.body) == (title + code, body)


@pytest.mark.parametrize(
    ("language", "clicked_in", "title"),
    [(None, "en", "新预约 "), ("en", "zh-hans", "New appointment ")],
)
def test_a_decline_tells_the_next_agent_in_their_language(
    routed_world,
    language,
    clicked_in,
    title,
):
    """agent1 declines from a phone set to another language: the re-route to agent3 says it
    in agent3's language."""
    p = routed_world["people"]
    speaks(p["agent3"], language)
    a = book()
    with translation.override(clicked_in):  # as LocaleMiddleware leaves it for Accept-Language
        appointment_actions.appointment_act(
            actor=p["agent1"].user,
            appointment_id=a.pk,
            action="decline",
            payload={"reason": "在外培训"},
        )
    notice = Notification.objects.get(recipient=p["agent3"].user, kind="appointment_routed")
    assert notice.title == title + a.tracking_code


@pytest.mark.parametrize(
    ("language", "clicked_in", "texts"),
    [
        (None, "en", ("待派单预约 ", "测试地址 的高龄津贴申请需要安排代办员。")),
        ("en", "zh-hans", ("Unrouted appointment ", "高龄津贴申请 at 测试地址 needs an agent.")),
    ],
)
def test_the_managers_unrouted_notice_is_in_the_managers_language(
    routed_world,
    language,
    clicked_in,
    texts,
):
    """Nobody is left to take it: the station's manager is told in their own language."""
    p = routed_world["people"]
    speaks(p["manager1"], language)
    a = book()
    with translation.override(clicked_in):
        for agent in ("agent1", "agent3"):
            a = appointment_actions.appointment_act(
                actor=p[agent].user, appointment_id=a.pk, action="decline", payload={"reason": "忙"}
            )
    assert a.status == Status.UNROUTED
    notice = Notification.objects.get(recipient=p["manager1"].user, kind="appointment_unrouted")
    title, body = texts
    assert (notice.title, notice.body) == (title + a.tracking_code, body)


def test_a_routed_booking_costs_the_same_queries_in_any_language(routed_world):
    """The agent's language comes with the row routing locks anyway: no query more."""
    counts = {}
    for language in ("zh-hans", "en"):
        speaks(routed_world["people"]["agent1"], language)
        with CaptureQueriesContext(connection) as queries:
            a = book()
        assert a.agent == routed_world["people"]["agent1"]
        counts[language] = len(queries)
    assert counts["en"] == counts["zh-hans"]


# --- the backlog: one statement, each agent in their own language ----------------------------


def test_a_backlog_pass_writes_each_agents_notices_in_their_language(routed_world, settings):
    p = routed_world["people"]
    speaks(p["agent3"], "en")
    settings.PEOPLE = {**settings.PEOPLE, "OPEN_WORK_CAP": 3}
    queue_backlog(6)
    with translation.override("en"):  # whatever the language of the process running it
        assert appointment_backlog.route_queued(batch_size=6, now=NOW) == 6
    titles = {
        name: sorted(
            Notification.objects.filter(
                recipient=p[name].user, kind="appointment_routed"
            ).values_list("title", flat=True)
        )
        for name in ("agent1", "agent3")
    }
    assert len(titles["agent1"]) == len(titles["agent3"]) == 3
    assert all(t.startswith("新预约 BATCH") for t in titles["agent1"]), titles
    assert all(t.startswith("New appointment BATCH") for t in titles["agent3"]), titles


# --- cases: the resident's text messages, the agent's notices ---------------------------------


def test_the_residents_text_message_is_chinese_whatever_the_agent_clicked_in(case_world):
    p = case_world["people"]
    speaks(p["agent1"], "en")  # the agent's own preference does not matter to the resident
    case = open_walk_in(p["agent1"])
    response = client_for(p["agent1"]).post(
        f"/api/v1/cases/{case.pk}/actions/accept/",
        {"checklist": ALL_PROVIDED},
        format="json",
        **ENGLISH,
    )
    assert response.status_code == 200, response.content
    sms = Notification.objects.get(phone="13912345678", kind="case_accepted")
    assert sms.recipient_id is None
    assert sms.title == "残疾人证办理已受理"
    assert sms.body.startswith("登记号") and case.tracking_code in sms.body, sms.body


def test_a_residents_papers_missing_message_is_chinese(case_world):
    p = case_world["people"]
    case = open_walk_in(p["agent1"])
    response = client_for(p["agent1"]).post(
        f"/api/v1/cases/{case.pk}/actions/review/",
        {"checklist": {**ALL_PROVIDED, "hukou": "missing"}},
        format="json",
        **ENGLISH,
    )
    assert response.status_code == 200, response.content
    sms = Notification.objects.get(phone="13912345678", kind="papers_missing")
    assert sms.title == "残疾人证办理：材料不全"
    assert sms.body.startswith("请一次性补齐以下材料：户口簿"), sms.body


@pytest.mark.parametrize(
    ("language", "clicked_in", "title"),
    [(None, "en", "办理结果已出："), ("en", "zh-hans", "Result ready: ")],
)
def test_the_window_tells_the_agent_in_the_agents_language(
    case_world,
    language,
    clicked_in,
    title,
):
    p = case_world["people"]
    speaks(p["agent1"], language)
    case = act(p["agent1"], open_walk_in(p["agent1"]), "accept", checklist=ALL_PROVIDED)
    act(p["agent1"], case, "forward")
    act(p["window"], case, "receive")
    response = client_for(p["window"]).post(
        f"/api/v1/cases/{case.pk}/actions/result_ready/", {}, format="json", **accepting(clicked_in)
    )
    assert response.status_code == 200, response.content
    notice = Notification.objects.get(recipient=p["agent1"].user, kind="case_result_ready")
    assert notice.title == title + case.tracking_code


# --- the preference: PATCH /api/v1/me/ --------------------------------------------------------


def test_an_agent_chooses_english_on_me(world):
    agent = world["people"]["agent1"]
    client = client_for(agent)
    assert client.get("/api/v1/me/").json()["staff"]["language"] == "zh-hans"
    response = client.patch("/api/v1/me/", {"language": "en"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["staff"]["language"] == "en"
    agent.refresh_from_db()
    assert agent.language == "en"
    back = client.patch("/api/v1/me/", {"language": "zh-hans"}, format="json")
    assert back.json()["staff"]["language"] == "zh-hans"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"language": "fr"}, "unknown_language"),
        ({"language": "EN"}, "unknown_language"),
        ({"language": "zh-hant"}, "unknown_language"),
        ({"language": ""}, "unknown_language"),
        ({"language": None}, "invalid_input"),
        ({"language": ["en"]}, "invalid_input"),
        ({}, "invalid_input"),
    ],
)
def test_an_unknown_language_is_refused_and_changes_nothing(world, payload, code):
    agent = world["people"]["agent1"]
    response = client_for(agent).patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    agent.refresh_from_db()
    assert agent.language == "zh-hans"


def test_the_refusal_names_the_languages_there_are(world):
    response = client_for(world["people"]["agent1"]).patch(
        "/api/v1/me/", {"language": "fr"}, format="json", **ENGLISH
    )
    details = response.json()["error"]["details"]
    assert details == {"language": "fr", "allowed": ["zh-hans", "en"]}


def test_an_account_without_a_staff_profile_has_no_language_to_set(db, api_client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("plain", password="pw-12345")
    api_client.force_authenticate(user)
    response = api_client.patch("/api/v1/me/", {"language": "en"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "no_profile")


def test_anonymous_cannot_set_a_language(db, api_client):
    response = api_client.patch("/api/v1/me/", {"language": "en"}, format="json")
    assert response.status_code == 401


def test_the_schema_documents_the_language_and_its_refusal(db, api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    patch = schema["paths"]["/api/v1/me/"]["patch"]
    ref = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    language = body["properties"]["language"]
    enum = language["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][enum]["enum"] == ["zh-hans", "en"]
    assert "unknown_language" in language["description"]
    assert "400" in patch["responses"] and "unknown_language" in str(patch["responses"]["400"])


# --- the rule in one place: notifications.services ---------------------------------------------


def test_notify_reads_the_language_from_the_profile_the_caller_loaded(
    world,
    django_assert_num_queries,
):
    """No query more than the INSERT: the profile came with the user (staff → user)."""
    from django.utils.translation import gettext as _

    from notifications.services import notify

    speaks(world["people"]["agent1"], "en")
    staff = Staff.objects.select_related("user").get(pk=world["people"]["agent1"].pk)
    with translation.override("zh-hans"), django_assert_num_queries(1):
        notice = notify(
            user=staff.user, kind="test", title=lambda: _("Result ready: %(code)s") % {"code": "X"}
        )
    assert notice.title == "Result ready: X"


def test_an_account_without_a_profile_reads_the_default_language(db):
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext_lazy

    from notifications.services import notify

    user = get_user_model().objects.create_user("plain", password="pw-12345")
    with translation.override("en"):
        notice = notify(user=user, kind="test", title=gettext_lazy("the window"), body="原样")
    assert (notice.title, notice.body) == ("审批窗口", "原样")
