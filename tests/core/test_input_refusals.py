"""Input the API cannot read or must not store is refused with a code, and nothing is stored.

Issue 16 item 5 (query parameters) and issue 17 items 11 (unreadable requests) and 12 (limits).
Every refusal: its status, its error code, and the row counts before and after.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from appointments import actions as appointment_actions
from appointments import intake as appointment_intake
from appointments.models import Appointment
from cases.models import Case
from catalogue.models import ApprovalWindow, ServiceItem
from feedback.models import Complaint, Suggestion
from people.models import DeskDay, Leave, PositionReport
from supervision.models import AssessmentScheme
from tests.factories import client_for
from tests.geo.helpers import lonlat, point
from tests.worlds.appointments import NOW, WINDOW
from visits.models import Visit

pytestmark = pytest.mark.django_db

MEGABYTE_TEXT = "长" * (1024 * 1024 // 3)  # ~1 MB in UTF-8
TOO_LONG = "x" * 2001
DEEP = "[" * 100_000
BIGINT_PLUS_ONE = 9223372036854775808

STORED = (Appointment, Case, Visit, Complaint, Suggestion, Leave, DeskDay, PositionReport)


def _counts(*models):
    return {model.__name__: model.objects.count() for model in models or STORED}


def _error(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def _booking(**overrides):
    body = {
        "service_item": "MZ-002",
        "applicant_name": "张三",
        "applicant_phone": "13800001234",
        "location": {"type": "Point", "coordinates": list(lonlat(100, 100))},
        "address": "一社区 1 号楼",
        "channel": "web",
    }
    body.update(overrides)
    return body


# --- 16.5 query parameters ----------------------------------------------------------------------

QUERY_REFUSALS = [
    ("district", "/api/v1/appointments/?status=AAA", "status"),
    ("district", "/api/v1/appointments/unrouted/?centre=AAA", "centre"),
    ("district", "/api/v1/cases/?status=AAA", "status"),
    ("district", "/api/v1/cases/?light=purple", "light"),
    ("district", "/api/v1/cases/?centre=AAA", "centre"),
    ("district", "/api/v1/cases/?page_size=0", "page_size"),
    ("district", "/api/v1/cases/?page_size=501", "page_size"),
    ("district", "/api/v1/cases/?page_size=AAA", "page_size"),
    ("district", "/api/v1/visits/?status=AAA", "status"),
    ("district", "/api/v1/areas/?level=AAA", "level"),
    ("district", "/api/v1/areas/?page=AAA", "page"),
    ("district", "/api/v1/grids/?active=AAA", "active"),
    ("district", "/api/v1/grids/A/assignments/?active=maybe", "active"),
    ("district", "/api/v1/register/?year=AAA", "year"),
    ("district", "/api/v1/register/?copies_for=AAA", "copies_for"),
    ("district", "/api/v1/register/heads/?centre=AAA", "centre"),
    ("district", "/api/v1/staff/?role=AAA", "role"),
    ("agent1", "/api/v1/me/notifications/?unread=maybe", "unread"),
]


@pytest.mark.parametrize(("who", "url", "parameter"), QUERY_REFUSALS)
def test_unknown_query_parameter_values_are_refused(case_world, who, url, parameter):
    response = client_for(case_world["people"][who]).get(url)
    assert response.status_code == 400, (url, response.content[:200])
    error = _error(response)
    assert error["code"] == "invalid_parameter"
    assert error["details"]["parameter"] == parameter
    assert "allowed" in error["details"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/appointments/?status=confirmed&page_size=500",
        "/api/v1/cases/?status=accepted&light=green&centre=210000001001",
        "/api/v1/visits/?status=scheduled",
        "/api/v1/areas/?level=community&page=1",
        "/api/v1/grids/?active=all",
        "/api/v1/grids/A/assignments/?active=true",
        "/api/v1/register/?year=2026&copies_for=210000001",
        "/api/v1/staff/?role=agent",
    ],
)
def test_known_query_parameter_values_still_answer(case_world, url):
    response = client_for(case_world["people"]["district"]).get(url)
    assert response.status_code == 200, (url, response.content[:300])


def test_an_unknown_crs_is_refused_even_without_a_cursor(case_world):
    response = client_for(case_world["people"]["agent1"]).get("/api/v1/sync/?crs=AAA")
    assert response.status_code == 400 and _error(response)["code"] == "unknown_crs"


# --- 17.11 unreadable requests ------------------------------------------------------------------


def _post_raw(client, url, raw: str, **headers):
    return client.post(url, data=raw.encode(), content_type="application/json", **headers)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/api/v1/auth/login/"),
        (None, "/api/v1/appointments/"),
        (None, "/api/v1/suggestions/"),
        (None, "/api/v1/complaints/"),
        ("agent1", "/api/v1/cases/"),
        ("agent1", "/api/v1/visits/"),
        ("agent1", "/api/v1/me/positions/"),
    ],
)
@pytest.mark.parametrize("idempotency_key", [None, "deep-1"])
def test_deeply_nested_json_is_refused(case_world, api_client, who, url, idempotency_key):
    client = client_for(case_world["people"][who]) if who else api_client
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    before = _counts()
    for raw in (DEEP, "[" * 65 + "]" * 65, '{"a":' * 70 + "1" + "}" * 70):
        response = _post_raw(client, url, raw, **headers)
        assert response.status_code == 400, (raw[:20], response.content[:200])
        assert _error(response)["code"] == "malformed_request"
        headers = {"HTTP_IDEMPOTENCY_KEY": f"{idempotency_key}-{len(raw)}"} if headers else {}
    assert _counts() == before


# JSON escapes, as a client would send them: NUL and lone surrogates in values and keys
UNSTORABLE_BODIES = [
    ("a NUL in a value", {"applicant_name": "张\u0000三"}),
    ("a NUL in a nested value", {"location": {"type": "Point\u0000", "coordinates": [1, 2]}}),
    ("a lone high surrogate", {"description": "\ud800"}),
    ("a lone low surrogate", {"address": "一社区\udc00"}),
    ("a NUL in a key", {"\u0000": "x"}),
    ("a surrogate in a key", {"\udbff": "x"}),
]


@pytest.mark.parametrize(
    ("case", "overrides"), UNSTORABLE_BODIES, ids=[c for c, _ in UNSTORABLE_BODIES]
)
@pytest.mark.parametrize("idempotency_key", [None, "chars-1"])
def test_nul_and_lone_surrogates_in_bodies_are_refused(
    case_world,
    api_client,
    case,
    overrides,
    idempotency_key,
):
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    before = _counts()
    raw = json.dumps(_booking(**overrides))  # ensure_ascii: "\ud800" stays an escape
    response = _post_raw(api_client, "/api/v1/appointments/", raw, **headers)
    assert response.status_code == 400, response.content[:300]
    assert _error(response)["code"] == "invalid_characters"
    login = _post_raw(
        api_client, "/api/v1/auth/login/", json.dumps({"username": "agent1\u0000", "password": "x"})
    )
    assert login.status_code == 400 and _error(login)["code"] == "invalid_characters"
    assert _counts() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/track/%00/?phone=1234",
        "/api/v1/complaints/track/%00/?phone=1234",
        "/api/v1/grids/%00/",
        "/api/v1/grids/%00/history/",
        "/api/v1/service-items/%00/",
        "/api/v1/service-items/%00/versions/",
        "/api/v1/stations/%00/work/",
        "/api/v1/cases/?status=%00",
        "/api/v1/cases/?centre=%00",
        "/api/v1/grids/?q=%00",
        "/api/v1/service-items/?q=%00",
        "/api/v1/service-items/?category=%ED%A0%80",
        "/api/v1/staff/?role=%C0%80",
        "/api/v1/areas/?%00=1",
    ],
)
def test_nul_and_invalid_unicode_in_paths_and_query_strings_are_refused(case_world, url):
    response = client_for(case_world["people"]["district"]).get(url)
    assert response.status_code == 400, (url, response.content[:200])
    assert _error(response)["code"] == "invalid_characters"


def test_a_write_with_nul_in_its_path_stores_nothing(case_world):
    before = _counts(Appointment, Case)
    client = client_for(case_world["people"]["district"])
    response = client.post("/api/v1/grids/%00/retire/", {"reason": "x"}, format="json")
    assert response.status_code == 400 and _error(response)["code"] == "invalid_characters"
    assert _counts(Appointment, Case) == before


# --- 17.12 limits -------------------------------------------------------------------------------


def test_booking_texts_have_limits(case_world, api_client):
    before = _counts()
    body = _booking(description=MEGABYTE_TEXT, notes=TOO_LONG)
    response = api_client.post("/api/v1/appointments/", body, format="json")
    assert response.status_code == 400
    codes = _error(response)["details"]["codes"]
    assert codes["description"] == ["max_length"] and codes["notes"] == ["max_length"]
    assert _counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", MEGABYTE_TEXT),
        ("legal_basis", "y" * 4001),
        ("eligibility", "y" * 4001),
        ("window", "W" * 33),
    ],
)
def test_catalogue_texts_have_limits(case_world, field, value):
    before = _counts(ServiceItem)
    client = client_for(case_world["people"]["district"])
    created = client.post("/api/v1/service-items/", {"code": "NEW-1", field: value}, format="json")
    edited = client.patch("/api/v1/service-items/MZ-002/", {field: value}, format="json")
    for response in (created, edited):
        assert response.status_code == 400, response.content[:200]
        assert _error(response)["details"]["codes"][field] == ["max_length"]
    assert _counts(ServiceItem) == before
    assert ServiceItem.objects.get(code="MZ-002").versions.count() == 1


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/assessment/schemes/", "note"),
        ("/api/v1/assessment/schemes/", "indicators"),
    ],
)
def test_supervision_texts_and_lists_have_limits(case_world, path, field):
    value = TOO_LONG if field == "note" else [{"figure": "x"}] * 101
    before = _counts(AssessmentScheme)
    response = client_for(case_world["people"]["district"]).post(
        path, {field: value}, format="json"
    )
    assert response.status_code == 400
    assert _error(response)["details"]["codes"][field] in (
        ["max_length"],
        {"non_field_errors": ["max_length"]},
    )
    assert _counts(AssessmentScheme) == before


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("2026-02-30", 400, "invalid_item_code"),
        ("9223372036854775808", 400, "invalid_item_code"),
        ("MZ--1", 400, "invalid_item_code"),
        ("-MZ", 400, "invalid_item_code"),
        ("MZ 1", 400, "invalid_item_code"),
    ],
)
def test_item_codes_have_a_pattern(case_world, code, status, error):
    before = _counts(ServiceItem)
    body = {
        "code": code,
        "name": "新事项",
        "category": "民政",
        "handling_level": "district",
        "department": "区民政局",
        "materials": [{"key": "id_card", "name": "居民身份证", "form": "original"}],
        "procedure": ["受理"],
        "committed_limit_days": 10,
        "proxy_limit_days": 5,
    }
    client = client_for(case_world["people"]["district"])
    response = client.post("/api/v1/service-items/", body, format="json")
    assert (response.status_code, _error(response)["code"]) == (status, error)
    assert _counts(ServiceItem) == before
    good = client.post("/api/v1/service-items/", {**body, "code": "MZ-900"}, format="json")
    assert good.status_code == 201, good.content[:300]


@pytest.mark.parametrize("code", ["2026-02-30", "9223372036854775808", "1", "MZJ_01"])
def test_window_codes_have_a_pattern(case_world, code):
    before = _counts(ApprovalWindow)
    body = {
        "code": code,
        "department": "区人社局",
        "name": "社保窗口",
        "centre": case_world["tree"]["street"].code,
        "hours": "工作日",
        "phone": "0427-1234567",
    }
    client = client_for(case_world["people"]["district"])
    response = client.post("/api/v1/windows/", body, format="json")
    assert (response.status_code, _error(response)["code"]) == (400, "invalid_window_code")
    assert _counts(ApprovalWindow) == before
    good = client.post("/api/v1/windows/", {**body, "code": "RSJ-02"}, format="json")
    assert good.status_code == 201, good.content[:300]


def _confirmed_appointment():
    booked = appointment_intake.appointment_create(
        actor=None,
        intake=appointment_intake.Intake(
            service_item="MZ-002",
            applicant_name="张三",
            applicant_phone="13800001234",
            location=point(100, 100),
            address="一社区 1 号楼",
            channel="web",
            preferred_start=WINDOW[0],
            preferred_end=WINDOW[1],
        ),
        now=NOW,
    )
    return appointment_actions.appointment_act(
        actor=booked.agent.user, appointment_id=booked.pk, action="confirm", payload={}
    )


def _visit(case_world):
    agent = client_for(case_world["people"]["agent1"])
    visit = agent.post(
        "/api/v1/visits/", {"appointment": _confirmed_appointment().pk}, format="json"
    )
    assert visit.status_code == 201, visit.content[:300]
    return agent, visit.json()["id"]


@pytest.mark.parametrize(
    ("accuracy", "code"),
    [
        (True, "invalid_input"),
        (False, "invalid_input"),
        ("12", "invalid_input"),
        (1e308, "invalid_accuracy"),
        (10_001, "invalid_accuracy"),
        (-1, "invalid_accuracy"),
    ],
)
def test_check_in_accuracy_is_a_real_number_in_range(case_world, accuracy, code):
    agent, visit_id = _visit(case_world)
    body = {
        "position": {"type": "Point", "coordinates": list(lonlat(100, 100))},
        "accuracy_m": accuracy,
    }
    response = agent.post(f"/api/v1/visits/{visit_id}/check-in/", body, format="json")
    assert (response.status_code, _error(response)["code"]) == (400, code)
    if code == "invalid_input":
        assert _error(response)["details"]["codes"]["accuracy_m"] == ["not_a_number"]
    visit = Visit.objects.get(pk=visit_id)
    assert visit.status == "scheduled" and visit.check_in_accuracy_m is None


@pytest.mark.parametrize(
    ("accuracy", "code"), [(True, "invalid_input"), (1e308, "invalid_accuracy")]
)
def test_position_accuracy_is_a_real_number_in_range(case_world, accuracy, code):
    before = _counts(PositionReport)
    body = {
        "positions": [
            {
                "location": {"type": "Point", "coordinates": list(lonlat(100, 100))},
                "accuracy_m": accuracy,
                "recorded_at": "2026-01-05T09:00:00+08:00",
            }
        ]
    }
    response = client_for(case_world["people"]["agent1"]).post(
        "/api/v1/me/positions/", body, format="json"
    )
    assert (response.status_code, _error(response)["code"]) == (400, code)
    assert _counts(PositionReport) == before


def test_a_visit_record_is_refused_not_cut_when_too_long(case_world):
    agent, visit_id = _visit(case_world)
    position = {"type": "Point", "coordinates": list(lonlat(100, 100))}
    assert (
        agent.post(
            f"/api/v1/visits/{visit_id}/check-in/", {"position": position}, format="json"
        ).status_code
        == 200
    )
    for record in ({"notes": MEGABYTE_TEXT}, {"photos": list(range(101))}):
        response = agent.post(
            f"/api/v1/visits/{visit_id}/check-out/",
            {"position": position, "record": record},
            format="json",
        )
        assert response.status_code == 400 and _error(response)["code"] == "invalid_input"
        assert _error(response)["details"]["codes"]["record"][0] in ("max_length", "too_many_items")
    assert Visit.objects.get(pk=visit_id).status == "in_progress"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/visits/", {"appointment": BIGINT_PLUS_ONE}),
        ("/api/v1/cases/", {"appointment": BIGINT_PLUS_ONE}),
        ("/api/v1/visits/", {"case": 0}),
    ],
)
def test_ids_have_a_range(case_world, path, body):
    before = _counts()
    response = client_for(case_world["people"]["agent1"]).post(path, body, format="json")
    assert response.status_code == 400 and _error(response)["code"] == "invalid_input"
    field = next(iter(body))
    assert _error(response)["details"]["codes"][field][0] in ("max_value", "min_value")
    assert _counts() == before


def test_the_same_leave_is_recorded_once(case_world):
    p = case_world["people"]
    manager = client_for(p["manager1"])
    url = f"/api/v1/staff/{p['agent1'].pk}/leave/"
    leave = {"start": "2026-10-12T08:00:00+08:00", "end": "2026-10-14T18:00:00+08:00"}
    assert manager.post(url, {**leave, "reason": "年假"}, format="json").status_code == 201
    repeats = [
        leave,
        {"start": "2026-10-13T08:00:00+08:00", "end": "2026-10-13T12:00:00+08:00"},
        {"start": "2026-10-10T08:00:00+08:00", "end": "2026-10-12T09:00:00+08:00"},
    ]
    for body in repeats * 3:
        response = manager.post(url, body, format="json")
        assert (response.status_code, _error(response)["code"]) == (409, "duplicate_interval")
    assert Leave.objects.filter(staff=p["agent1"]).count() == 1
    after = {"start": "2026-10-14T18:00:00+08:00", "end": "2026-10-15T18:00:00+08:00"}
    assert manager.post(url, after, format="json").status_code == 201  # touching is not overlap


def test_the_same_desk_day_is_recorded_once(case_world):
    p, tree = case_world["people"], case_world["tree"]
    manager = client_for(p["manager1"])
    url = f"/api/v1/centres/{tree['c1'].code}/desk-days/"
    body = {"staff": p["manager1"].pk, "weekday": 1, "start": "08:00", "end": "12:00"}
    assert manager.post(url, body, format="json").status_code == 201
    for _ in range(3):
        response = manager.post(url, {**body, "start": "09:00"}, format="json")
        assert (response.status_code, _error(response)["code"]) == (409, "duplicate_interval")
    assert DeskDay.objects.filter(staff=p["manager1"]).count() == 1
    assert manager.post(url, {**body, "weekday": 2}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("MZ-001", True),
        ("MZJ-01", True),
        ("QT-000", True),
        ("MZ", True),
        ("A" * 32, True),
        ("A" * 33, False),
        ("MZ-001\n", False),
        ("2026-02-30", False),
        ("9223372036854775808", False),
        ("MZ_01", False),
        ("MZ-", False),
        ("", False),
        (None, False),
    ],
)
def test_the_code_pattern(code, ok):
    from catalogue.services import is_code

    assert is_code(code) is ok


def test_open311_refuses_nul_in_its_form_and_path(case_world, api_client):
    before = _counts()
    response = api_client.post(
        "/open311/v2/requests.json",
        {"service_code": "MZ-002\x00", "description": "x\x00", "lat": "40", "long": "121"},
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    for url in ("/open311/v2/requests/%00.json", "/open311/v2/requests.json?service_code=%00"):
        assert api_client.get(url).status_code == 400
    assert _counts() == before
