"""Mobile login: per-device tokens, a lost phone revoked alone, logout everywhere, throttling."""

import pytest
from rest_framework.test import APIClient

from people.models import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return make_staff("agent1", Role.AGENT, phone="13904270001", password="correct-horse")


def login(client, username, password="correct-horse", device="phone"):
    return client.post(
        "/api/v1/auth/login/",
        {"username": username, "password": password, "device": device},
        format="json",
    )


def with_token(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_login_by_username_or_phone(api_client, agent):
    by_name = login(api_client, "agent1")
    assert by_name.status_code == 200, by_name.content
    by_phone = login(api_client, "13904270001")
    assert by_phone.status_code == 200
    assert by_name.json()["token"] != by_phone.json()["token"]
    me = with_token(by_phone.json()["token"]).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["staff"]["roles"] == ["agent"]


def test_wrong_password(api_client, agent):
    response = login(api_client, "agent1", "wrong")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    response = login(api_client, "nobody", "wrong")
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_missing_fields(api_client):
    response = api_client.post("/api/v1/auth/login/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]["fields"]


def test_repeated_failures_are_throttled(api_client, agent, settings):
    settings.PEOPLE = {**settings.PEOPLE, "LOGIN_MAX_FAILURES": 3}
    for _ in range(3):
        assert login(api_client, "agent1", "wrong").status_code == 401
    response = login(api_client, "agent1")  # even the right password waits now
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"


def test_lost_phone_is_revoked_alone(api_client, agent):
    lost = login(api_client, "agent1", device="lost phone").json()
    kept = login(api_client, "agent1", device="new phone").json()
    kept_client = with_token(kept["token"])
    devices = kept_client.get("/api/v1/auth/tokens/").json()
    assert {d["device"] for d in devices} == {"lost phone", "new phone"}
    response = kept_client.post(f"/api/v1/auth/tokens/{lost['token_id']}/revoke/")
    assert response.status_code == 200
    refused = with_token(lost["token"]).get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "authentication_failed"
    assert kept_client.get("/api/v1/me/").status_code == 200


def test_cannot_revoke_someone_elses_token(api_client, agent):
    other = make_staff("agent2", Role.AGENT, password="correct-horse")
    theirs = login(api_client, other.user.username).json()
    mine = with_token(login(api_client, "agent1").json()["token"])
    response = mine.post(f"/api/v1/auth/tokens/{theirs['token_id']}/revoke/")
    assert response.status_code == 404
    assert with_token(theirs["token"]).get("/api/v1/me/").status_code == 200


def test_logout_and_logout_everywhere(api_client, agent):
    one = login(api_client, "agent1").json()["token"]
    two = login(api_client, "agent1").json()["token"]
    assert with_token(one).post("/api/v1/auth/logout/").json() == {"revoked": 1}
    assert with_token(one).get("/api/v1/me/").status_code == 401
    three = login(api_client, "agent1").json()["token"]
    assert with_token(two).post("/api/v1/auth/logout-all/").json() == {"revoked": 2}
    assert with_token(two).get("/api/v1/me/").status_code == 401
    assert with_token(three).get("/api/v1/me/").status_code == 401


def test_only_a_digest_is_stored(api_client, agent):
    from accounts.models import DeviceToken

    token = login(api_client, "agent1").json()["token"]
    stored = DeviceToken.objects.get()
    assert token not in (stored.digest, stored.prefix) and stored.prefix == token[:8]
