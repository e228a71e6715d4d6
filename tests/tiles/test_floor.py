"""The tile path's own token authentication (tiles/requester.py): the same requester, scope and
refusals as the rest of the API, in one statement, and the default throttles still counted."""

from __future__ import annotations

import secrets

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DeviceToken
from accounts.services import token_digest
from core.api.throttles import PerAddressThrottle, PerUserThrottle
from tests.factories import client_for
from tests.tiles.conftest import WORLD_TILE, decode, tile_url

pytestmark = pytest.mark.django_db

LAYERS = ("grids", "areas", "appointments", "gaps", "agents")
OTHER = "/api/v1/auth/tokens/"  # an endpoint on the API's own device-token authentication


def token_for(staff_or_user) -> str:
    user = getattr(staff_or_user, "user", staff_or_user)
    key = secrets.token_hex(20)
    DeviceToken.objects.create(user=user, digest=token_digest(key), prefix=key[:8], device="t")
    return key


def with_token(key: str | None, keyword: str = "Token") -> APIClient:
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}".strip())
    return client


def signed_in(staff_or_user) -> APIClient:
    """A browser's session, as the map page has (a real session row, SessionAuthentication)."""
    client = APIClient()
    client.force_login(getattr(staff_or_user, "user", staff_or_user))
    return client


def answer(response) -> tuple:
    body = response.json() if response["Content-Type"] == "application/json" else response.content
    return response.status_code, body, response.get("ETag"), response.get("WWW-Authenticate")


@pytest.mark.parametrize(
    "who", ["district", "supervisor", "manager1", "manager2", "agent1", "street", "window"]
)
def test_a_token_gets_what_the_api_gives_the_same_user(world, who):
    person = world["people"][who]
    key = token_for(person)
    session = signed_in(person)
    for layer in LAYERS:
        url = tile_url(layer, *WORLD_TILE)
        expected = answer(client_for(person).get(url))  # the API's own authentication path
        for _made_then_cached in range(2):
            assert answer(with_token(key).get(url)) == expected, (who, layer)
            assert answer(session.get(url)) == expected, (who, layer, "session")


def test_a_token_first_then_the_api_path_from_its_cache(world):
    p = world["people"]
    url = tile_url("grids", *WORLD_TILE)
    for who in ("manager2", "district", "manager1"):
        made = answer(with_token(token_for(p[who])).get(url))
        assert answer(client_for(p[who]).get(url)) == made


def test_a_superuser_without_staff_record_sees_the_district(world, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    url = tile_url("grids", *WORLD_TILE)
    assert len(decode(with_token(token_for(root)).get(url))["grids"]) == 3
    assert answer(with_token(token_for(root)).get(url)) == answer(client_for(root).get(url))


def test_a_manager_never_gets_the_district_tile_cached_under_a_token(world):
    p = world["people"]
    url = tile_url("grids", *WORLD_TILE)
    district = with_token(token_for(p["district"]))
    assert len(decode(district.get(url))["grids"]) == 3
    assert district.get(url)["X-Tile-Cache"] == "hit"
    manager = with_token(token_for(p["manager2"]))
    for _made_then_cached in range(2):
        assert {f["code"] for f in decode(manager.get(url))["grids"]} == {"C"}


def test_a_cached_tile_costs_one_statement(world):
    client = with_token(token_for(world["people"]["district"]))
    url = tile_url("grids", *WORLD_TILE)
    assert client.get(url)["X-Tile-Cache"] == "miss"
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response["X-Tile-Cache"] == "hit"
    assert len(context.captured_queries) == 1, [q["sql"][:80] for q in context]
    etag = response["ETag"]
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(context.captured_queries) == 1


def test_a_signed_in_cached_tile_costs_the_session_the_user_and_one_statement(world):
    client = signed_in(world["people"]["district"])
    url = tile_url("grids", *WORLD_TILE)
    assert client.get(url)["X-Tile-Cache"] == "miss"
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response["X-Tile-Cache"] == "hit"
    assert len(context.captured_queries) == 3, [q["sql"][:80] for q in context]


def test_a_manager_signed_in_never_gets_the_district_tile(world):
    p = world["people"]
    url = tile_url("grids", *WORLD_TILE)
    assert len(decode(signed_in(p["district"]).get(url))["grids"]) == 3
    manager = signed_in(p["manager2"])
    for _made_then_cached in range(2):
        assert {f["code"] for f in decode(manager.get(url))["grids"]} == {"C"}


def test_a_deactivated_staff_member_sees_what_the_api_lets_them_see(world):
    person = world["people"]["manager1"]
    key = token_for(person)
    person.active = False
    person.save(update_fields=["active"])
    session = signed_in(person)
    for layer in LAYERS:
        url = tile_url(layer, *WORLD_TILE)
        expected = answer(client_for(person).get(url))
        assert answer(with_token(key).get(url)) == expected, layer
        assert answer(session.get(url)) == expected, layer


@pytest.mark.parametrize(
    "header",
    [
        None,
        ("Token", ""),
        ("Token", "a b"),
        ("Token", "nosuchtoken"),
        ("Bearer", "x"),
        ("Token", "é"),
    ],
)
def test_refusals_are_the_apis_own(world, header):
    keyword, key = header if header else ("Token", None)
    tile = with_token(key, keyword).get(tile_url("grids", *WORLD_TILE))
    other = with_token(key, keyword).get(OTHER)
    assert tile.status_code == 401
    assert answer(tile)[::3] == answer(other)[::3]  # status and WWW-Authenticate
    assert tile.json() == other.json()


def test_revoked_tokens_and_inactive_users_are_refused(world):
    person = world["people"]["district"]
    url = tile_url("grids", *WORLD_TILE)
    revoked = token_for(person)
    assert with_token(revoked).get(url).status_code == 200  # and its tile is now cached
    DeviceToken.objects.filter(digest=token_digest(revoked)).update(revoked_at=timezone.now())
    key = token_for(person)
    person.user.is_active = False
    person.user.save(update_fields=["is_active"])
    for refused in (revoked, key):
        tile, other = with_token(refused).get(url), with_token(refused).get(OTHER)
        assert tile.status_code == other.status_code == 401
        assert tile.json() == other.json()
        assert tile.json()["error"]["code"] == other.json()["error"]["code"]


def test_a_token_use_is_recorded_as_elsewhere(world):
    key = token_for(world["people"]["district"])
    with_token(key).get(tile_url("grids", *WORLD_TILE))
    assert DeviceToken.objects.get(digest=token_digest(key)).last_used_at is not None


@pytest.fixture
def counters():
    from django.core.cache import caches

    caches["counters"].clear()
    yield
    caches["counters"].clear()


def test_the_per_user_throttle_counts_tiles_with_every_other_request(world, counters, monkeypatch):
    monkeypatch.setattr(PerUserThrottle, "rate", "3/minute", raising=False)
    client = with_token(token_for(world["people"]["district"]))
    url = tile_url("grids", *WORLD_TILE)
    assert client.get(url).status_code == 200
    assert client.get(OTHER).status_code == 200
    assert client.get(url).status_code == 200
    refused, other = client.get(url), client.get(OTHER)
    assert refused.status_code == other.status_code == 429
    assert refused.json()["error"]["code"] == other.json()["error"]["code"]
    assert refused["Retry-After"]


def test_the_per_address_throttle_still_holds(world, counters, monkeypatch):
    monkeypatch.setattr(PerAddressThrottle, "rate", "2/minute", raising=False)
    p = world["people"]
    url = tile_url("grids", *WORLD_TILE)
    assert with_token(token_for(p["district"])).get(url).status_code == 200
    assert with_token(token_for(p["manager1"])).get(url).status_code == 200
    assert with_token(token_for(p["manager2"])).get(url).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_while_idle_is_opened_again(world):
    """The statement is the connection's health check: a connection the server ended between
    requests costs a second try, not an error."""
    key = token_for(world["people"]["district"])
    url = tile_url("grids", *WORLD_TILE)
    assert with_token(key).get(url).status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        dbname=db["NAME"],
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.health_check_enabled, connection.health_check_done = True, False
    response = with_token(key).get(url)
    assert response.status_code == 200
    assert response["X-Tile-Cache"] == "hit"
    assert connection.connection.info.backend_pid != pid
