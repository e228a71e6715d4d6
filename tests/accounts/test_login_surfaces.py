"""One brake for every way in (ADR 0024): the API log-in, /map/login/ and /admin/login/ count on
the same account (username and phone alike) and client address; a lock made on one refuses the
others, even with the right password; the lock lasts LOGIN_LOCKOUT_SECONDS."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AttemptCounter
from people.models import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse"
PHONE = "13904270001"
LOCKED_ZH = "登录失败次数过多"


@pytest.fixture
def agent(db):
    staff = make_staff("agent1", Role.AGENT, phone=PHONE, password=PASSWORD)
    staff.user.is_staff = True  # may use the admin, so a right password there would log in
    staff.user.save(update_fields=["is_staff"])
    return staff


def api(username, password=PASSWORD, address="198.51.100.1"):
    return APIClient().post(
        "/api/v1/auth/login/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def page(path, username, password=PASSWORD, address="198.51.100.1"):
    client = Client()
    response = client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)
    return response, client


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_api_locked(username="agent1", password=PASSWORD):
    refused = api(username, password)
    assert refused.status_code == 429, refused.content
    assert refused.json()["error"]["code"] == "too_many_attempts"
    assert int(refused["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/map/login/", "/admin/login/"])
def test_a_lock_made_on_the_api_closes_the_pages(agent, path):
    for _ in range(5):
        assert api("agent1", "wrong").status_code == 401
    response, client = page(path, "agent1")
    assert LOCKED_ZH in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize("path", ["/map/login/", "/admin/login/"])
def test_a_lock_made_on_a_page_closes_the_api(agent, path):
    for _ in range(5):
        response, client = page(path, "agent1", "wrong")
        assert response.status_code == 200 and not signed_in(client)
    assert_api_locked()


def test_the_map_page_answers_429_with_the_message(agent):
    for _ in range(5):
        page("/map/login/", "agent1", "wrong")
    response, _ = page("/map/login/", "agent1")
    assert response.status_code == 429
    assert "用户名或密码不正确" not in response.content.decode()


def test_the_pages_still_log_in_below_the_limit(agent):
    for _ in range(4):
        api("agent1", "wrong")
    response, client = page("/admin/login/", "agent1")
    assert response.status_code == 302 and signed_in(client)
    # the success reset the account: four more failures do not lock it
    for _ in range(4):
        assert api("agent1", "wrong").status_code == 401
    assert api("agent1").status_code == 200


def test_username_and_phone_are_one_account(agent):
    for name in ("agent1", PHONE, "agent1", PHONE, "agent1"):
        assert api(name, "wrong").status_code == 401
    assert_api_locked(PHONE)
    assert_api_locked("agent1")
    assert AttemptCounter.objects.filter(key=f"account:{agent.user.pk}").count() == 1


def test_an_unknown_name_locks_like_an_account(agent):
    for _ in range(5):
        assert api("nobody", "wrong").status_code == 401
    refused = api("nobody", "wrong")
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "too_many_attempts")
    assert api("agent1").status_code == 200  # another account is untouched


def test_one_address_trying_many_accounts_is_braked(agent):
    for n in range(20):
        assert api(f"guess{n}", "wrong", address="203.0.113.5").status_code == 401
    locked = api("agent1", address="203.0.113.5")
    assert locked.status_code == 429
    assert api("agent1", address="203.0.113.6").status_code == 200


def test_the_address_is_the_one_the_throttles_see(agent, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(20):
        APIClient().post(
            "/api/v1/auth/login/",
            {"username": f"guess{n}", "password": "wrong"},
            format="json",
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    # another client behind the same proxy is not braked; the one that guessed is
    behind_proxy = {"REMOTE_ADDR": "10.0.0.1", "format": "json"}
    fine = APIClient().post(
        "/api/v1/auth/login/",
        {"username": "agent1", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.6",
        **behind_proxy,
    )
    assert fine.status_code == 200
    refused = APIClient().post(
        "/api/v1/auth/login/",
        {"username": "agent1", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **behind_proxy,
    )
    assert refused.status_code == 429


def shift_rows(seconds: int) -> None:
    """Move the brake's clock: every row as if written `seconds` earlier."""
    delta = timedelta(seconds=seconds)
    AttemptCounter.objects.update(
        started_at=F("started_at") - delta,
        locked_until=F("locked_until") - delta,
        expires_at=F("expires_at") - delta,
    )


def test_the_lock_lasts_the_lockout_and_tries_do_not_extend_it(agent, settings):
    assert settings.PEOPLE["LOGIN_LOCKOUT_SECONDS"] == 900  # what README and ADR 0024 say
    for _ in range(5):
        api("agent1", "wrong")
    row = AttemptCounter.objects.get(key=f"account:{agent.user.pk}")
    lock = row.locked_until
    assert timedelta(seconds=890) < lock - timezone.now() <= timedelta(seconds=900)
    shift_rows(600)
    assert_api_locked()
    page("/map/login/", "agent1", "wrong")
    assert AttemptCounter.objects.get(pk=row.pk).locked_until == lock - timedelta(seconds=600)
    shift_rows(298)  # 898 s after the lock (the test's own time on top)
    assert_api_locked()
    shift_rows(2)  # 900 s
    assert api("agent1").status_code == 200
