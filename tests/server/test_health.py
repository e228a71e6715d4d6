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
