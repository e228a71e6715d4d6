"""Tracking codes cannot be brute-forced (ADR 0024): tracking codes are public (Open311), so the
last four digits of the phone are limited per code — 10 wrong tries within the hour lock the code
for the hour, for an anonymous caller and a staff token alike, even for the right digits."""

import pytest
from rest_framework.test import APIClient

from accounts.models import AttemptCounter
from tests.factories import client_for
from tests.worlds.cases import accepted_case

pytestmark = pytest.mark.django_db

RIGHT = "5678"  # the walk-in applicant's phone ends so


def wrong_digits(n: int) -> str:
    return f"{n:04d}" if f"{n:04d}" != RIGHT else "9999"


@pytest.fixture
def tracked(case_world):
    return f"/api/v1/track/{accepted_case(case_world).tracking_code}/"


@pytest.mark.parametrize("caller", ["anonymous", "district staff token"])
def test_ten_wrong_tries_lock_the_code_for_every_caller(case_world, tracked, caller):
    staff = case_world["people"]["district"]
    client = APIClient() if caller == "anonymous" else client_for(staff)
    for n in range(10):
        wrong = client.get(tracked, {"phone": wrong_digits(n)}, REMOTE_ADDR=f"203.0.113.{n}")
        assert wrong.status_code == 404, wrong.content
    locked = client.get(tracked, {"phone": RIGHT}, REMOTE_ADDR="203.0.113.200")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
    assert 3500 < locked.json()["error"]["details"]["retry_after"] <= 3600
    assert int(locked["Retry-After"]) == locked.json()["error"]["details"]["retry_after"]


def test_the_lock_is_per_code_and_right_tries_do_not_count(case_world, tracked):
    client = APIClient()
    for n in range(9):
        assert client.get(tracked, {"phone": wrong_digits(n)}).status_code == 404
    for _ in range(3):  # the resident looking, again and again
        assert client.get(tracked, {"phone": RIGHT}).status_code == 200
    assert client.get(tracked, {"phone": "0000"}).status_code == 404  # the tenth wrong one
    assert client.get(tracked, {"phone": RIGHT}).status_code == 429
    other = f"/api/v1/track/{accepted_case(case_world).tracking_code}/"
    assert client.get(other, {"phone": RIGHT}).status_code == 200


def test_unknown_codes_are_counted_alike(case_world):
    client = APIClient()
    for n in range(10):
        assert client.get("/api/v1/track/NOSUCHCODE/", {"phone": f"{n:04d}"}).status_code == 404
    refused = client.get("/api/v1/track/nosuchcode/", {"phone": "1234"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "too_many_attempts")
    assert not AttemptCounter.objects.filter(key__contains="NOSUCHCODE").exists()


def test_rating_tries_count_on_the_same_brake(case_world, tracked):
    """满意度 is asked with the same code and digits: its wrong tries lock the code too, and a
    locked code refuses the rating even with the right digits."""
    from cases.models import Case, Status

    code = tracked.rstrip("/").rsplit("/", 1)[1]
    Case.objects.filter(tracking_code=code).update(status=Status.CLOSED)
    client = APIClient()
    rating = f"{tracked}rating/"
    for n in range(10):
        body = {"phone": wrong_digits(n), "rating": 5}
        assert client.post(rating, body, format="json").status_code == 404
    locked = client.post(rating, {"phone": RIGHT, "rating": 5}, format="json")
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"
    assert client.get(tracked, {"phone": RIGHT}).status_code == 429
    assert Case.objects.get(tracking_code=code).rating is None
