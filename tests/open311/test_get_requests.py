"""GET service requests and GET service request: appointments and cases as GeoReport v2
requests — public, without personal data, filtered as the spec says."""

from datetime import timedelta

import pytest
from django.test import Client as Client_
from django.utils import timezone

from appointments import actions as appointment_actions
from appointments.models import Appointment
from cases import actions as case_actions
from cases import services as case_services
from cases.models import Case
from open311 import selectors
from open311.views import ReadThrottle
from tests.geo.helpers import point
from tests.open311.helpers import (
    REQUEST_FIELDS,
    as_json,
    assert_same_in_xml,
    error_of,
    get,
    post,
    request_form,
    validate,
    xml_list,
)

CANCEL_REASON = "张三来电说不需要了，电话13800001234"
DECLINE_REASON = "户籍不在本区（张三，身份证110105194912310021）"


def _file(client, raw_key, **overrides) -> str:
    [created] = as_json(post(client, request_form(raw_key, **overrides)))
    return created["service_request_id"]


def _case_from(code: str, agent) -> Case:
    appointment = Appointment.objects.get(tracking_code=code)
    appointment_actions.appointment_act(
        actor=agent.user, appointment_id=appointment.pk, action="confirm", payload={}
    )
    return case_services.case_open(
        actor=agent.user, opening=case_services.Opening(appointment=appointment.pk)
    )


@pytest.fixture
def filed(o311, client):
    """r_open: an appointment awaiting its agent; r_cancelled: cancelled; r_accepted: a case
    accepted with a due date; r_declined: a case declined; walk_in: a case opened at a desk."""
    people, raw = o311["people"], o311["raw_key"]
    codes = {
        "r_open": _file(client, raw),
        "r_cancelled": _file(
            client, raw, x=1500, y=500, service_code="QT-000", description="代缴水费"
        ),
        "r_accepted": _file(client, raw, x=300, y=300),
        "r_declined": _file(client, raw, x=200, y=200),
    }
    cancelled = Appointment.objects.get(tracking_code=codes["r_cancelled"])
    appointment_actions.appointment_act(
        actor=people["agent2"].user,
        appointment_id=cancelled.pk,
        action="cancel",
        payload={"reason": CANCEL_REASON},
    )
    accepted = _case_from(codes["r_accepted"], people["agent1"])
    case_actions.case_act(
        actor=people["agent1"].user,
        case_id=accepted.pk,
        action="accept",
        payload={"checklist": {"id_card": "provided"}},
    )
    declined = _case_from(codes["r_declined"], people["agent1"])
    case_actions.case_act(
        actor=people["agent1"].user,
        case_id=declined.pk,
        action="decline",
        payload={"reason": DECLINE_REASON},
    )
    walk_in = case_services.case_open(
        actor=people["agent1"].user,
        opening=case_services.Opening(
            service_item="MZ-001",
            applicant_name="王五",
            applicant_phone="13900000000",
            address="一社区 9 号楼",
            location=point(400, 400),
        ),
    )
    codes["walk_in"] = walk_in.tracking_code
    o311["codes"] = codes
    return o311


def _by_code(rows) -> dict:
    return {row["service_request_id"]: row for row in rows}


def test_requests_validate_and_carry_the_spec_fields(filed, client):
    rows = as_json(get(client, "requests"))
    validate(rows, "requests.json")
    for row in rows:
        validate(row, "request.json")
        assert set(row) == REQUEST_FIELDS
    assert set(_by_code(rows)) == set(filed["codes"].values())
    # newest first
    requested = [row["requested_datetime"] for row in rows]
    assert requested == sorted(requested, reverse=True)


def test_requests_in_xml_carry_the_same_fields_and_values(filed, client):
    from_json = as_json(get(client, "requests"))
    from_xml = xml_list(get(client, "requests", "xml"), "service_requests", "request")
    assert_same_in_xml(from_json, from_xml)
    for row in from_xml:
        assert set(row) == REQUEST_FIELDS


def test_an_appointment_waiting_for_its_agent(filed, client):
    row = _by_code(as_json(get(client, "requests")))[filed["codes"]["r_open"]]
    appointment = Appointment.objects.get(tracking_code=filed["codes"]["r_open"])
    lon, lat = appointment.location.coords
    assert row | {"requested_datetime": None, "updated_datetime": None} == {
        "service_request_id": appointment.tracking_code,
        "status": "open",
        "status_notes": "待代办员确认",
        "service_name": "高龄津贴申请",
        "service_code": "MZ-001",
        "description": None,
        "agency_responsible": "一社区中心",
        "service_notice": row["service_notice"],
        "requested_datetime": None,
        "updated_datetime": None,
        "expected_datetime": None,
        "address": None,  # never on the public list: where a vulnerable person lives
        "address_id": None,
        "zipcode": None,
        "lat": round(lat, 2),  # about a kilometre
        "long": round(lon, 2),
        "media_url": "https://img.example.com/p/1.jpg",
    }
    assert row["requested_datetime"].endswith("+08:00")
    assert row["updated_datetime"] >= row["requested_datetime"]
    assert "Free of charge" in row["service_notice"] or "无偿" in row["service_notice"]


def test_a_case_speaks_for_its_appointment(filed, client):
    code = filed["codes"]["r_accepted"]
    rows = [r for r in as_json(get(client, "requests")) if r["service_request_id"] == code]
    assert len(rows) == 1  # the case, not the appointment as well
    [row] = rows
    case = Case.objects.get(tracking_code=code)
    assert row["status"] == "open" and row["status_notes"] == "已受理"
    assert row["agency_responsible"] == case.centre.name
    assert row["expected_datetime"] == f"{case.due_date.isoformat()}T23:59:59+08:00"
    assert row["media_url"] == "https://img.example.com/p/1.jpg"  # the appointment's media
    # requested when the resident asked, not when the case was opened
    appointment = case.appointment
    assert row["requested_datetime"] == selectors.w3c(appointment.created_at)


def test_closed_requests(filed, client):
    rows = _by_code(as_json(get(client, "requests")))
    cancelled = rows[filed["codes"]["r_cancelled"]]
    assert cancelled["status"] == "closed" and cancelled["status_notes"] == "已取消"
    assert cancelled["agency_responsible"] == "二村中心"
    declined = rows[filed["codes"]["r_declined"]]
    assert declined["status"] == "closed"
    assert declined["status_notes"] == "不予代办（不符合条件）"
    walk_in = rows[filed["codes"]["walk_in"]]
    assert walk_in["status"] == "open" and walk_in["media_url"] is None
    assert walk_in["expected_datetime"] is None  # no deadline before acceptance


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_no_personal_data_is_published(filed, client, fmt):
    bodies = [get(client, "requests", fmt).content.decode()] + [
        get(client, f"requests/{code}", fmt).content.decode() for code in filed["codes"].values()
    ]
    for body in bodies:
        for secret in (
            "张三",
            "王五",
            "13800001234",
            "13900000000",
            "1234",
            "zhang.san",
            "device-42",
            "account-7",
            "老人行动不便",
            "代缴水费",
            CANCEL_REASON,
            "户籍不在本区",
            "110105",
            "张一",  # agents' names stay inside too
            "李二",
            "城市随手拍",
        ):
            assert secret not in body, secret


def test_closed_and_open_are_cumulative_statuses(filed, client):
    codes = filed["codes"]

    def listed(**params):
        return set(_by_code(as_json(get(client, "requests", **params))))

    assert listed(status="open") == {codes["r_open"], codes["r_accepted"], codes["walk_in"]}
    assert listed(status="closed") == {codes["r_cancelled"], codes["r_declined"]}
    assert listed(status="open,closed") == set(codes.values())
    assert listed(status="CLOSED") == {codes["r_cancelled"], codes["r_declined"]}


def test_filter_by_service_code(filed, client):
    codes = filed["codes"]
    rows = as_json(get(client, "requests", service_code="QT-000"))
    assert set(_by_code(rows)) == {codes["r_cancelled"]}
    rows = as_json(get(client, "requests", service_code="MZ-001,QT-000"))
    assert set(_by_code(rows)) == set(codes.values())
    assert as_json(get(client, "requests", service_code="NOPE-1")) == []


def test_service_request_id_overrides_the_other_filters(filed, client):
    codes = filed["codes"]
    wanted = f"{codes['r_open']},{codes['r_declined'].lower()}"
    rows = as_json(get(client, "requests", service_request_id=wanted, status="open"))
    assert set(_by_code(rows)) == {codes["r_open"], codes["r_declined"]}


def test_the_default_window_is_the_last_90_days(filed, client):
    codes = filed["codes"]
    now = timezone.now()
    Appointment.objects.filter(tracking_code=codes["r_open"]).update(
        created_at=now - timedelta(days=100)
    )
    # a case is dated by its appointment
    Appointment.objects.filter(tracking_code=codes["r_accepted"]).update(
        created_at=now - timedelta(days=95)
    )
    recent = set(_by_code(as_json(get(client, "requests"))))
    assert recent == {codes["r_cancelled"], codes["r_declined"], codes["walk_in"]}
    older = as_json(
        get(
            client,
            "requests",
            start_date=(now - timedelta(days=120)).isoformat(),
            end_date=(now - timedelta(days=60)).isoformat(),
        )
    )
    assert set(_by_code(older)) == {codes["r_open"], codes["r_accepted"]}
    # only a start: the 90 days after it; only an end: the 90 days before it
    start_only = get(client, "requests", start_date=(now - timedelta(days=101)).isoformat())
    assert set(_by_code(as_json(start_only))) == {codes["r_open"], codes["r_accepted"]}
    end_only = get(client, "requests", end_date=(now - timedelta(days=99)).isoformat())
    assert set(_by_code(as_json(end_only))) == {codes["r_open"]}
    # the id still finds it, whatever its age
    assert as_json(get(client, f"requests/{codes['r_open']}"))[0]["service_request_id"]


def test_dates_in_the_w3c_forms(filed, client):
    today = timezone.localdate()
    day = get(client, "requests", start_date=(today - timedelta(days=1)).isoformat())
    assert len(as_json(day)) == 5
    utc = get(client, "requests", end_date="2001-01-01T00:00:00Z")
    assert as_json(utc) == []
    # an unencoded "+08:00" arrives as " 08:00" and still parses
    start = (today - timedelta(days=1)).isoformat()
    response = client.get(f"/open311/v2/requests.json?start_date={start}T00:00:00+08:00")
    assert len(as_json(response)) == 5


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": "pending"}, "invalid_status"),
        ({"status": "open,maybe"}, "invalid_status"),
        ({"start_date": "yesterday"}, "invalid_date"),
        ({"end_date": "2026-02-30T00:00:00+08:00"}, "invalid_date"),
        (
            {"start_date": "2026-10-02T00:00:00+08:00", "end_date": "2026-10-01T00:00:00+08:00"},
            "invalid_date_range",
        ),
        (
            {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
            "date_range_too_long",
        ),
    ],
)
def test_bad_filters_are_400(filed, client, fmt, params, code):
    assert error_of(get(client, "requests", fmt, **params), 400, fmt) == code


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request(filed, client, fmt):
    code = filed["codes"]["r_accepted"]
    response = get(client, f"requests/{code}", fmt)
    if fmt == "json":
        rows = as_json(response)
        validate(rows, "requests.json")
        [row] = rows
        validate(row, "request.json")
    else:
        [row] = xml_list(response, "service_requests", "request")
    assert set(row) == REQUEST_FIELDS
    assert row["service_request_id"] == code
    lower = as_json(get(client, f"requests/{code.lower()}"))
    assert lower[0]["service_request_id"] == code


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_is_404(filed, client, fmt):
    assert error_of(get(client, "requests/NOPE234567", fmt), 404, fmt) == "unknown_service_request"


@pytest.mark.parametrize("path", ["requests.html", "requests/ABC.csv", "requests/ABC"])
def test_unknown_format_is_404(filed, client, path):
    assert error_of(client.get(f"/open311/v2/{path}"), 404) in {"unknown_format", "not_found"}


def test_at_most_the_newest_thousand(filed, client, monkeypatch):
    codes, now = filed["codes"], timezone.now()
    ages = {"r_open": 2, "r_cancelled": 3, "r_accepted": 4, "r_declined": 5}
    for name, hours in ages.items():
        Appointment.objects.filter(tracking_code=codes[name]).update(
            created_at=now - timedelta(hours=hours)
        )
    Case.objects.filter(tracking_code=codes["walk_in"]).update(opened_at=now - timedelta(hours=1))
    monkeypatch.setattr(selectors, "MAX_REQUESTS", 3)
    rows = as_json(get(client, "requests"))
    # newest first across appointments and cases alike
    assert [r["service_request_id"] for r in rows] == [
        codes["walk_in"],
        codes["r_open"],
        codes["r_cancelled"],
    ]


def test_reads_need_no_key_and_cost_a_fixed_number_of_queries(
    filed, client, django_assert_max_num_queries
):
    # two queries (appointments, cases) plus the throttle's cache reads and writes
    with django_assert_max_num_queries(8):
        rows = as_json(get(client, "requests"))
    assert len(rows) == 5


def test_reads_are_throttled_per_client(filed, client, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(ReadThrottle, "rate", "2/minute", raising=False)
    as_json(get(client, "requests"))
    as_json(get(client, "services"))
    refused = get(client, "requests", "xml")
    assert error_of(refused, 429, "xml") == "throttled" and refused["Retry-After"]
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert as_json(get(other, "requests"))


def test_the_read_rate_comes_from_settings():
    assert ReadThrottle().rate == "120/minute"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_list_cache_answers_the_same_question_alike_until_it_expires(
    filed, client, settings, fmt, monkeypatch
):
    """OPEN311_LIST_CACHE_SECONDS (production: 5): one render serves every client asking the
    same question until it expires; another question, or a bad one, is never served from it."""
    from django.core.cache import cache

    settings.OPEN311_LIST_CACHE_SECONDS = 5
    cache.clear()
    first = get(client, "requests", fmt, status="open")
    other = Client_(REMOTE_ADDR="10.9.8.7")
    searched = []
    search = selectors.requests_search
    monkeypatch.setattr(selectors, "requests_search", lambda q: searched.append(q) or search(q))
    again = get(other, "requests", fmt, status="open")
    assert not searched  # answered from the cache
    assert again.status_code == 200 and again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    # a different question is answered for itself; a bad one is still refused
    closed = get(client, "requests", fmt, status="closed")
    assert closed.content != first.content and len(searched) == 1
    assert error_of(get(client, "requests", fmt, status="nope"), 400, fmt) == "invalid_status"
    # a change shows once the answer has expired (here: the cache emptied)
    Appointment.objects.filter(tracking_code=filed["codes"]["r_open"]).update(
        created_at=timezone.now() - timedelta(days=200)
    )
    assert get(client, "requests", fmt, status="open").content == first.content
    cache.clear()
    assert get(client, "requests", fmt, status="open").content != first.content


def test_the_list_is_rendered_for_every_request_without_the_cache(filed, client):
    assert as_json(get(client, "requests"))
    Appointment.objects.filter(tracking_code=filed["codes"]["r_open"]).update(
        created_at=timezone.now() - timedelta(days=200)
    )
    codes = {r["service_request_id"] for r in as_json(get(client, "requests"))}
    assert filed["codes"]["r_open"] not in codes
