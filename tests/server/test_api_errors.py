"""Every API error has one shape; never an HTML page or a traceback under /api/."""

import pytest


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert "json" in response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


@pytest.mark.django_db
def test_unknown_api_path_is_json_404(client):
    assert_error_shape(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error_shape(client.get("/api/nothing"), 404, "not_found")


@pytest.mark.django_db
def test_wrong_method_is_json_405(client):
    assert_error_shape(client.delete("/api/schema/"), 405, "method_not_allowed")


@pytest.mark.django_db
@pytest.mark.urls("tests.server.error_urls")
def test_unexpected_exception_is_json_500_without_traceback(client):
    client.raise_request_exception = False
    error = assert_error_shape(client.get("/api/v1/boom/"), 500, "server_error")
    assert "Traceback" not in error["message"]


@pytest.mark.django_db
@pytest.mark.urls("tests.server.error_urls")
def test_unsupported_media_type_is_json_415(client):
    response = client.post("/api/v1/echo/", data="<x/>", content_type="application/xml")
    assert_error_shape(response, 415, "unsupported_media_type")


@pytest.mark.django_db
@pytest.mark.urls("tests.server.error_urls")
def test_malformed_json_is_json_400(client):
    response = client.post("/api/v1/echo/", data="{not json", content_type="application/json")
    assert_error_shape(response, 400, "malformed_request")


@pytest.mark.django_db
@pytest.mark.urls("tests.server.error_urls")
def test_validation_error_lists_fields(client):
    response = client.post("/api/v1/echo/", data={}, content_type="application/json")
    error = assert_error_shape(response, 400, "invalid_input")
    assert "name" in error["details"]["fields"]


@pytest.mark.django_db
def test_non_api_404_stays_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_english_message_on_request(client, db):
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "No such API endpoint."


def test_chinese_message_by_default(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.json()["error"]["message"] == "没有这个接口。"
