"""Under DEBUG, Django's technical pages only for requests from this machine (core/debug.py)."""

import pytest
from django.urls import path

import server.urls


def html_boom(request):
    raise RuntimeError("deliberate failure SECRET_VALUE_IN_TRACEBACK")


def html_missing(request):
    from django.http import Http404

    raise Http404("deliberately missing")


urlpatterns = [
    path("debug-test/boom/", html_boom),
    path("debug-test/missing/", html_missing),
    *server.urls.urlpatterns,
]
handler404 = server.urls.handler404
handler500 = server.urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.test_debug")]

REMOTE = {"REMOTE_ADDR": "192.0.2.10"}


@pytest.fixture
def debug_client(client, settings):
    settings.DEBUG = True
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_this_machine_still_gets_the_debug_pages(debug_client, address):
    missing = debug_client.get("/no-such-page/", REMOTE_ADDR=address)
    assert missing.status_code == 404 and b"URLconf" in missing.content
    failed = debug_client.get("/debug-test/boom/", REMOTE_ADDR=address)
    assert failed.status_code == 500 and b"SECRET_VALUE_IN_TRACEBACK" in failed.content
    assert b"Traceback" in failed.content


@pytest.mark.parametrize("address", ["192.0.2.10", "10.1.2.3", "2001:db8::1"])
def test_other_addresses_get_the_ordinary_404(debug_client, address):
    response = debug_client.get("/no-such-page/", REMOTE_ADDR=address)
    assert response.status_code == 404
    assert b"URLconf" not in response.content and b"DEBUG" not in response.content
    assert b"debug-test" not in response.content  # no URL patterns
    raised = debug_client.get("/debug-test/missing/", REMOTE_ADDR=address)
    assert raised.status_code == 404 and b"deliberately missing" not in raised.content
    assert b"DEBUG" not in raised.content


def test_other_addresses_get_the_ordinary_500(debug_client):
    for accept in ("text/html", "text/plain"):
        response = debug_client.get("/debug-test/boom/", HTTP_ACCEPT=accept, **REMOTE)
        assert response.status_code == 500
        assert b"SECRET_VALUE_IN_TRACEBACK" not in response.content
        assert b"Traceback" not in response.content and b"SECRET_KEY" not in response.content


def test_a_forwarded_header_does_not_make_a_request_local(debug_client):
    response = debug_client.get(
        "/no-such-page/", HTTP_X_FORWARDED_FOR="127.0.0.1", HTTP_X_REAL_IP="127.0.0.1", **REMOTE
    )
    assert response.status_code == 404 and b"URLconf" not in response.content


def test_a_missing_slash_still_redirects(debug_client):
    response = debug_client.get("/map", **REMOTE)
    assert response.status_code == 301 and response["Location"] == "/map/"


def test_without_debug_nothing_changes(client):
    client.raise_request_exception = False
    response = client.get("/no-such-page/", **REMOTE)
    assert response.status_code == 404 and b"URLconf" not in response.content
