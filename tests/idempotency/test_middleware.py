"""Idempotency-Key over HTTP: a retry replays the first answer and acts once; another request
under the same key, a key still in use, a malformed key, failures that may be retried, expiry,
and keys kept apart per requester."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory

from appointments.models import Appointment
from cases.models import CaseEvent, RegisterEntry
from idempotency import services
from idempotency.middleware import parse_key, request_fingerprint
from idempotency.models import IdempotencyRecord, State
from notifications.models import Notification
from tests.cases.conftest import ALL_PROVIDED, open_walk_in
from tests.factories import client_for
from tests.idempotency.conftest import APPOINTMENTS, body, post, replayed

pytestmark = pytest.mark.django_db


# --- replays -------------------------------------------------------------------------------


def test_an_anonymous_booking_retried_returns_the_first_answer_and_books_once(
    routed_world, api_client
):
    first = post(api_client, "booking-1", body())
    assert first.status_code == 201, first.content
    assert not replayed(first)
    notifications = Notification.objects.count()
    assert notifications > 0

    again = post(api_client, "booking-1", body())
    assert again.status_code == 201
    assert replayed(again)
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]
    assert "X-Request-ID" in again
    assert Appointment.objects.count() == 1
    assert Notification.objects.count() == notifications
    record = IdempotencyRecord.objects.get()
    assert (record.scope, record.state, record.response_status) == ("ip:127.0.0.1", "done", 201)


def test_the_same_json_written_differently_is_the_same_request(routed_world, api_client):
    data = body()
    first = post(api_client, "booking-1", data)
    reordered = json.dumps(dict(reversed(list(data.items()))), indent=2, ensure_ascii=True)
    again = api_client.post(
        APPOINTMENTS, reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="booking-1"
    )
    assert (again.status_code, replayed(again)) == (201, True)
    assert again.json() == first.json()
    assert Appointment.objects.count() == 1


def test_a_staff_booking_retried_returns_the_first_answer_and_books_once(routed_world):
    client = client_for(routed_world["people"]["manager1"])
    first = post(client, "desk-7", body(channel="phone"))
    assert first.status_code == 201, first.content
    assert "candidates" in first.json()["routing"]  # the staff view of the answer
    notifications = Notification.objects.count()

    again = post(client, "desk-7", body(channel="phone"))
    assert (again.status_code, replayed(again)) == (201, True)
    assert again.json() == first.json()
    assert Appointment.objects.count() == 1
    assert Notification.objects.count() == notifications
    user = routed_world["people"]["manager1"].user
    assert IdempotencyRecord.objects.get().scope == f"user:{user.pk}"


def test_a_token_user_is_scoped_as_the_user_before_the_view_authenticates(routed_world):
    """DRF authenticates tokens inside the view: the middleware resolves the user itself."""
    from accounts.services import login_with_password

    user, raw = login_with_password(identifier="manager1", password="pw-12345", device="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    first = post(client, "desk-8", body(channel="phone"))
    assert first.status_code == 201, first.content
    assert IdempotencyRecord.objects.get().scope == f"user:{user.pk}"
    again = post(client, "desk-8", body(channel="phone"))
    assert (again.status_code, replayed(again)) == (201, True)
    # the same user signed in by another means shares the key space
    same_user = post(client_for(user), "desk-8", body(channel="phone"))
    assert (same_user.status_code, replayed(same_user)) == (201, True)
    assert Appointment.objects.count() == 1


def test_a_failed_authentication_is_answered_by_the_view_and_nothing_is_kept(
    routed_world, api_client
):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = post(api_client, "booking-1", body())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not IdempotencyRecord.objects.exists()


def test_a_session_without_csrf_token_is_refused_as_without_a_key(routed_world):
    """The look-up must not leave its failure behind: the view still refuses, it does not
    take the request for an anonymous booking."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(routed_world["people"]["manager1"].user)
    unkeyed = post(client, None, body())
    keyed = post(client, "booking-1", body())
    assert unkeyed.status_code == keyed.status_code == 403
    assert keyed.json() == unkeyed.json()
    assert Appointment.objects.count() == 0
    assert not IdempotencyRecord.objects.exists()


def test_a_case_action_retried_returns_the_first_answer_and_acts_once(case_world):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    client = client_for(agent)
    url = f"/api/v1/cases/{case.pk}/actions/accept/"

    first = post(client, "accept-1", {"checklist": ALL_PROVIDED}, path=url)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "accepted"
    again = post(client, "accept-1", {"checklist": ALL_PROVIDED}, path=url)
    assert (again.status_code, replayed(again)) == (200, True)
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert RegisterEntry.objects.filter(case=case).count() == 1
    # without the key the retry is a second accept, which the workflow refuses
    unkeyed = post(client, None, {"checklist": ALL_PROVIDED}, path=url)
    assert (unkeyed.status_code, unkeyed.json()["error"]["code"]) == (409, "illegal_transition")


def test_a_patch_is_covered_too(case_world):
    """An edit retried after its answer was lost replays 200 instead of 412 (stale If-Match)."""
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    client = client_for(agent)
    url = f"/api/v1/cases/{case.pk}/"

    def edit():
        return client.patch(
            url,
            {"address": "二号楼"},
            format="json",
            HTTP_IF_MATCH='"1"',
            HTTP_IDEMPOTENCY_KEY="edit-1",
        )

    first = edit()
    assert first.status_code == 200, first.content
    again = edit()
    assert (again.status_code, replayed(again)) == (200, True)
    assert again["ETag"] == first["ETag"] == '"2"'
    case.refresh_from_db()
    assert case.version == 2


def test_a_refusal_is_kept_and_replayed(routed_world, api_client):
    """4xx answers are kept: the same bad request gets the same answer, and did nothing."""
    first = post(api_client, "booking-1", body(service_item="NOPE"))
    assert (first.status_code, first.json()["error"]["code"]) == (400, "unknown_service_item")
    again = post(api_client, "booking-1", body(service_item="NOPE"))
    assert (again.status_code, replayed(again)) == (400, True)
    assert again.json() == first.json()
    assert Appointment.objects.count() == 0


def test_requests_without_the_key_or_not_writes_are_left_alone(routed_world, api_client):
    assert post(api_client, None, body()).status_code == 201
    assert post(api_client, None, body()).status_code == 201
    assert Appointment.objects.count() == 2
    manager = client_for(routed_world["people"]["manager1"])
    listing = manager.get(APPOINTMENTS, HTTP_IDEMPOTENCY_KEY="read-1")
    assert listing.status_code == 200 and not replayed(listing)
    assert not IdempotencyRecord.objects.exists()


def test_login_is_exempt_so_no_token_is_kept(routed_world, api_client):
    data = {"username": "manager1", "password": "pw-12345", "device": "phone"}
    first = post(api_client, "login-1", data, path="/api/v1/auth/login/")
    again = post(api_client, "login-1", data, path="/api/v1/auth/login/")
    assert first.status_code == again.status_code == 200
    assert not replayed(again) and first.json()["token"] != again.json()["token"]
    assert not IdempotencyRecord.objects.exists()


# --- refusals ------------------------------------------------------------------------------


def test_the_same_key_for_a_different_request_is_refused(routed_world, api_client):
    assert post(api_client, "booking-1", body()).status_code == 201
    other_body = post(api_client, "booking-1", body(applicant_name="李四"))
    assert other_body.status_code == 422
    assert other_body.json()["error"]["code"] == "idempotency_key_reused"
    other_path = post(api_client, "booking-1", {}, path="/api/v1/suggestions/")
    assert other_path.status_code == 422
    assert Appointment.objects.count() == 1


@contextmanager
def claimant_alive(record):
    """What a request still running holds (idempotency/services.py): its claim's session lock,
    here taken by another database session."""
    db = connection.settings_dict
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    )
    try:
        other.execute(
            "SELECT pg_advisory_lock(%s, %s)", [services.LOCK_SPACE, services._lock_id(record.pk)]
        )
        yield
    finally:
        other.close()


def test_a_key_still_in_use_answers_409_with_retry_after(routed_world, api_client):
    assert post(api_client, "booking-1", body()).status_code == 201
    IdempotencyRecord.objects.update(state=State.IN_PROGRESS)  # as while the first still runs
    with claimant_alive(IdempotencyRecord.objects.get()):
        busy = post(api_client, "booking-1", body())
        assert busy.status_code == 409
        assert busy.json()["error"]["code"] == "request_in_progress"
        assert busy["Retry-After"] == "1"
        # another request under the busy key is still a misuse of the key
        assert post(api_client, "booking-1", body(address="别处")).status_code == 422
    assert Appointment.objects.count() == 1


def test_a_claim_whose_worker_died_is_taken_over_at_once(routed_world, api_client):
    """Its worker gone, nobody holds the claim's lock: the retry acts at once instead of waiting
    for the claim to go stale (the dead request's transaction, its writes with it, never
    committed — here the first booking stands for what a real one would not have left)."""
    first = post(api_client, "booking-1", body())
    IdempotencyRecord.objects.update(state=State.IN_PROGRESS, response_body=None)
    retried = post(api_client, "booking-1", body())
    assert retried.status_code == 201 and not replayed(retried)
    assert retried.json()["id"] != first.json()["id"]
    assert replayed(post(api_client, "booking-1", body()))


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "预约-1", "tab\there", "line\nbreak", '"unbalanced', '"in"side"'],
)
def test_a_malformed_key_is_refused_before_anything_happens(routed_world, api_client, key):
    response = post(api_client, key, body())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert Appointment.objects.count() == 0
    assert not IdempotencyRecord.objects.exists()


def test_key_syntax():
    assert parse_key("x" * 255) == "x" * 255
    assert parse_key("8e03978e-40d5-43e8-bc93-6894a57f9324") == (
        "8e03978e-40d5-43e8-bc93-6894a57f9324"
    )
    assert parse_key('"abc"') == "abc"  # the IETF draft's quoted form
    assert parse_key(r'"a\"b\\c"') == 'a"b\\c'
    assert parse_key("with spaces ~!") == "with spaces ~!"
    assert parse_key("") is None
    assert parse_key('""') is None
    assert parse_key("\x7f") is None


def test_fingerprints_ignore_serialisation_but_not_content():
    factory = APIRequestFactory()
    path = "/api/v1/appointments/"

    def json_request(raw: str, query: str = ""):
        return factory.post(path + query, raw, content_type="application/json")

    base = request_fingerprint(json_request('{"a": 1, "b": [1, 2]}'))
    assert request_fingerprint(json_request('{"b":[1,2],"a":1}')) == base
    assert request_fingerprint(json_request('{"a": 1, "b": [2, 1]}')) != base
    assert request_fingerprint(json_request('{"a": 1, "b": [1, 2]}', "?x=1")) != base
    assert (
        request_fingerprint(
            factory.patch(path, '{"a": 1, "b": [1, 2]}', content_type="application/json")
        )
        != base
    )
    assert request_fingerprint(json_request("{}", "?b=2&a=1")) == request_fingerprint(
        json_request("{}", "?a=1&b=2")
    )

    def multipart(boundary: str):
        payload = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="reason"\r\n\r\n'
            "家属代签\r\n"
            f"--{boundary}--\r\n"
        ).encode()
        return factory.post(path, payload, content_type=f"multipart/form-data; boundary={boundary}")

    assert request_fingerprint(multipart("aaa111")) == request_fingerprint(multipart("bbb222"))

    def form(raw: str):
        return factory.post(path, raw, content_type="application/x-www-form-urlencoded")

    assert request_fingerprint(form("a=1&b=2")) == request_fingerprint(form("b=2&a=1"))
    assert request_fingerprint(form("a=%FF")) != request_fingerprint(form("a=%FE"))


# --- what is not kept ----------------------------------------------------------------------


def test_a_server_error_keeps_nothing_so_the_retry_acts(routed_world, api_client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr("appointments.intake.appointment_create", broken)
        failed = post(api_client, "booking-1", body())
    assert (failed.status_code, failed.json()["error"]["code"]) == (500, "server_error")
    assert not IdempotencyRecord.objects.exists()

    retried = post(api_client, "booking-1", body())
    assert (retried.status_code, replayed(retried)) == (201, False)
    assert Appointment.objects.count() == 1


def test_a_throttled_request_keeps_nothing(routed_world, api_client, monkeypatch):
    from appointments.api.views import AnonAppointmentThrottle

    monkeypatch.setattr(AnonAppointmentThrottle, "rate", "1/hour", raising=False)
    assert post(api_client, None, body()).status_code == 201
    throttled = post(api_client, "booking-2", body())
    assert throttled.status_code == 429
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(AnonAppointmentThrottle, "rate", "100/hour", raising=False)
    retried = post(api_client, "booking-2", body())
    assert (retried.status_code, replayed(retried)) == (201, False)


def test_an_answer_over_the_size_limit_is_not_kept(routed_world, api_client, settings):
    settings.IDEMPOTENCY = {**settings.IDEMPOTENCY, "MAX_BODY_BYTES": 100}
    assert post(api_client, "booking-1", body()).status_code == 201
    assert not IdempotencyRecord.objects.exists()
    assert post(api_client, "booking-1", body()).status_code == 201
    assert Appointment.objects.count() == 2  # documented: such a retry acts again


# --- time and scope ------------------------------------------------------------------------


def test_after_expiry_the_key_acts_again(routed_world, api_client):
    first = post(api_client, "booking-1", body())
    assert first.status_code == 201
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    again = post(api_client, "booking-1", body())
    assert (again.status_code, replayed(again)) == (201, False)
    assert again.json()["id"] != first.json()["id"]
    assert Appointment.objects.count() == 2
    # the record was taken over and lives again: a third try is a replay
    record = IdempotencyRecord.objects.get()
    assert record.expires_at > timezone.now() + timedelta(hours=23)
    third = post(api_client, "booking-1", body())
    assert (third.status_code, replayed(third)) == (201, True)
    assert third.json()["id"] == again.json()["id"]


def test_the_lifetime_follows_the_setting(routed_world, api_client, settings):
    settings.IDEMPOTENCY = {**settings.IDEMPOTENCY, "TTL_HOURS": 2}
    before = timezone.now()
    assert post(api_client, "booking-1", body()).status_code == 201
    record = IdempotencyRecord.objects.get()
    assert timedelta(hours=2) <= record.expires_at - before < timedelta(hours=2, minutes=1)


def test_two_users_may_use_the_same_key(routed_world, api_client):
    p = routed_world["people"]
    one = post(client_for(p["manager1"]), "k-1", body(channel="phone"))
    other = post(client_for(p["agent1"]), "k-1", body(channel="phone", applicant_name="李四"))
    anonymous = post(api_client, "k-1", body())
    elsewhere = post(APIClient(REMOTE_ADDR="10.1.2.3"), "k-1", body())
    responses = [one, other, anonymous, elsewhere]
    assert [r.status_code for r in responses] == [201, 201, 201, 201]
    assert not any(replayed(r) for r in responses)
    assert Appointment.objects.count() == 4
    assert set(IdempotencyRecord.objects.values_list("scope", flat=True)) == {
        f"user:{p['manager1'].user.pk}",
        f"user:{p['agent1'].user.pk}",
        "ip:127.0.0.1",
        "ip:10.1.2.3",
    }


# --- coverage ------------------------------------------------------------------------------


def _callbacks(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def test_every_view_under_api_v1_is_a_drf_view_the_middleware_can_authenticate_for():
    routes = [(r, cb) for r, cb in _callbacks(get_resolver()) if r.startswith("api/v1/")]
    assert len(routes) > 20
    assert [r for r, cb in routes if not hasattr(cb, "cls")] == []
