"""API-wide behaviour: cursor pages on the app's lists, ETag/If-None-Match → 304, the
per-user and per-address throttles."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from core.api.throttles import PerAddressThrottle, PerUserThrottle
from tests.cases.conftest import open_walk_in
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def test_cursor_pages_never_repeat_or_skip_when_rows_arrive(case_world):
    agent = case_world["people"]["agent1"]
    made = [open_walk_in(agent).pk for _ in range(5)]
    client = client_for(agent)
    first = client.get("/api/v1/cases/?page_size=2").json()
    assert [c["id"] for c in first["results"]] == made[::-1][:2]
    assert first["previous"] is None and first["next"]
    open_walk_in(agent)  # a new case arrives while the phone pages
    seen = [c["id"] for c in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert seen == made[::-1]
    bad = client.get("/api/v1/cases/?cursor=garbage")
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "not_found"


def test_an_unchanged_list_answers_304(case_world):
    agent = case_world["people"]["agent1"]
    open_walk_in(agent)
    client = client_for(agent)
    first = client.get("/api/v1/me/tasks/")
    etag = first["ETag"]
    assert etag
    again = client.get("/api/v1/me/tasks/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    open_walk_in(agent)
    changed = client.get("/api/v1/me/tasks/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    listing = client.get("/api/v1/cases/")
    assert client.get("/api/v1/cases/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304


def test_per_user_and_per_address_throttles(case_world, monkeypatch, api_client):
    caches["counters"].clear()
    monkeypatch.setattr(PerUserThrottle, "rate", "3/minute", raising=False)
    monkeypatch.setattr(PerUserThrottle, "num_requests", 3, raising=False)
    monkeypatch.setattr(PerUserThrottle, "duration", 60, raising=False)
    client = client_for(case_world["people"]["agent1"])
    codes = [client.get("/api/v1/me/tasks/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = client_for(case_world["people"]["agent2"])  # another user is not held by it
    assert other.get("/api/v1/me/tasks/").status_code == 200
    caches["counters"].clear()
    monkeypatch.setattr(PerAddressThrottle, "rate", "2/minute", raising=False)
    monkeypatch.setattr(PerAddressThrottle, "num_requests", 2, raising=False)
    monkeypatch.setattr(PerAddressThrottle, "duration", 60, raising=False)
    codes = [api_client.get("/api/v1/track/NOPE/?phone=1234").status_code for _ in range(1)]
    codes += [api_client.get("/api/v1/public/stations/000000000000/").status_code for _ in range(3)]
    assert codes[-1] == 429
    caches["counters"].clear()
