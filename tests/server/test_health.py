"""GET /healthz: database, PostGIS version and queue; 503 when the database is unreachable."""

import json

import pytest

from tests.conftest import run_python


@pytest.mark.django_db
def test_health_reports_postgis_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["postgis"].startswith("3.")
    assert body["queue"]["broker"] == "orm"
    assert body["queue"]["queued"] == 0


def test_health_answers_503_when_database_unreachable():
    # A real interpreter pointed at a port where nothing listens: no mocks.
    result = run_python(
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))",
        DJANGO_SETTINGS_MODULE="server.settings.test",
        DATABASE_URL="postgis://nobody@127.0.0.1:1/nothing",
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["status"] == "error"
    assert outcome["body"]["database"] == "unreachable"
    assert outcome["body"]["reason"]


def _payload_from_a_lost_database(path: str, **headers: str) -> dict:
    """GET path in a real interpreter whose database does not answer (nothing listens)."""
    result = run_python(
        "import django, json, sys; django.setup();"
        "from django.test import Client;"
        f"r = Client().get({path!r}, headers={headers!r});"
        "print(json.dumps({'status': r.status_code, 'retry': r.get('Retry-After'),"
        " 'body': r.json()}))",
        DJANGO_SETTINGS_MODULE="server.settings.test",
        DATABASE_URL="postgis://nobody@127.0.0.1:1/nothing",
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_health_tells_clients_when_to_retry_a_lost_database():
    outcome = _payload_from_a_lost_database("/healthz")
    assert outcome["status"] == 503 and outcome["retry"] == "5"
    assert outcome["body"]["reason"] == "database_unreachable"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/me/", {"Authorization": "Token abc"}),  # authentication reads the database
        ("/api/v1/public/stations/211102002005/", {}),  # anonymous, read in the view
    ],
)
def test_api_answers_503_with_retry_after_when_the_database_is_lost(path, headers):
    outcome = _payload_from_a_lost_database(path, **headers)
    assert outcome["status"] == 503, outcome
    assert outcome["retry"] == "5"
    assert outcome["body"]["error"]["code"] == "database_unavailable"


@pytest.mark.django_db
def test_health_degrades_when_tasks_wait_a_minute_with_no_worker(client):
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import OrmQ

    # queued just now: a worker may simply not have polled yet
    OrmQ.objects.create(key="gridproxy", payload="-", lock=timezone.now())
    assert client.get("/healthz").status_code == 200
    # waiting for two minutes and no cluster reporting in: the queue is not served
    OrmQ.objects.create(key="gridproxy", payload="-", lock=timezone.now() - timedelta(minutes=2))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["reason"] == "no_worker"
    assert body["queue"]["queued"] == 2 and body["queue"]["oldest_wait_s"] >= 119
