"""POST service request: a GeoReport v2 client files a request; it becomes one appointment,
routed like any other, or is refused in the spec's error form with nothing stored."""

import pytest

from appointments.models import Appointment, Channel, RoutingDecision, Status
from open311.models import Submission
from open311.views import ApiKeyThrottle
from tests.open311.helpers import (
    CREATED_FIELDS,
    as_json,
    error_of,
    post,
    request_form,
    xml_list,
)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_becomes_one_routed_appointment(o311, client, fmt):
    response = post(client, request_form(o311["raw_key"]), fmt)
    if fmt == "json":
        [created] = as_json(response)
    else:
        [created] = xml_list(response, "service_requests", "request")
    assert set(created) == CREATED_FIELDS
    assert created["account_id"] is None
    assert "居民身份证" in created["service_notice"]  # 一次告知: what to have ready

    appointment = Appointment.objects.get()
    assert created["service_request_id"] == appointment.tracking_code
    assert appointment.channel == Channel.OPEN311
    assert appointment.created_by is None
    assert appointment.applicant_name == "张三"  # family name first
    assert appointment.applicant_phone == "13800001234"
    assert appointment.address == "一社区 3 号楼 2 单元"
    assert appointment.description == "老人行动不便，希望上门办理高龄津贴。"
    # routed like any other booking: the primary agent of the grid covering the point
    assert appointment.status == Status.AWAITING
    assert appointment.agent == o311["people"]["agent1"]
    assert appointment.grid.code == "A" and appointment.routing["rule"] == "grid_member"
    assert RoutingDecision.objects.filter(appointment=appointment).count() == 1
    # the client and the fields an appointment has no column for
    submission = Submission.objects.get()
    assert submission.appointment == appointment and submission.api_key == o311["key"]
    assert submission.media_url == "https://img.example.com/p/1.jpg"
    assert submission.email == "zhang.san@example.com"
    assert (submission.device_id, submission.account_id) == ("device-42", "account-7")
    assert "城市随手拍" in appointment.notes and "zhang.san@example.com" in appointment.notes


def test_the_location_is_wgs84_as_sent(o311, client):
    fields = request_form(o311["raw_key"], x=700, y=300)  # grid B
    as_json(post(client, fields))
    appointment = Appointment.objects.get()
    assert appointment.grid.code == "B"
    assert appointment.location.x == pytest.approx(float(fields["long"]), abs=1e-9)
    assert appointment.location.y == pytest.approx(float(fields["lat"]), abs=1e-9)


def test_the_minimal_request(o311, client):
    fields = {
        "api_key": o311["raw_key"],
        "service_code": "MZ-001",
        "lat": request_form("")["lat"],
        "long": request_form("")["long"],
        "first_name": "Li",
        "last_name": "Wei",
        "phone": "+86 138-0000-1234",
    }
    as_json(post(client, fields))
    appointment = Appointment.objects.get()
    assert appointment.applicant_name == "Li Wei"
    assert appointment.applicant_phone == "13800001234"
    assert appointment.address == "" and not Submission.objects.get().media_url


def test_multipart_bodies_are_accepted_too(o311, client):
    response = client.post("/open311/v2/requests.json", request_form(o311["raw_key"]))
    assert as_json(response)[0]["service_request_id"]
    assert Appointment.objects.count() == 1


def test_the_other_request_with_a_description(o311, client):
    fields = request_form(o311["raw_key"], service_code="QT-000", description="帮忙代缴水费")
    as_json(post(client, fields))
    assert Appointment.objects.get().service_item.code == "QT-000"


def test_the_key_records_its_last_use(o311, client):
    assert o311["key"].last_used_at is None
    as_json(post(client, request_form(o311["raw_key"])))
    o311["key"].refresh_from_db()
    assert o311["key"].last_used_at is not None


def test_the_api_key_may_come_in_the_query_string(o311, client):
    fields = request_form("")
    del fields["api_key"]
    response = post(client, fields, path="requests")
    assert error_of(response, 403) == "invalid_api_key"
    response = client.post(
        f"/open311/v2/requests.json?api_key={o311['raw_key']}",
        fields,
    )
    assert as_json(response)[0]["service_request_id"]


# --- refusals -------------------------------------------------------------------------------


def _deactivated(o311):
    o311["key"].active = False
    o311["key"].save()
    return o311["raw_key"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "key",
    [
        pytest.param(lambda o311: None, id="no key"),
        pytest.param(lambda o311: "", id="empty key"),
        pytest.param(lambda o311: "not-a-key", id="unknown key"),
        pytest.param(lambda o311: o311["raw_key"][:-1], id="truncated key"),
        pytest.param(_deactivated, id="inactive key"),
    ],
)
def test_without_a_valid_key_403(o311, client, fmt, key):
    response = post(client, request_form(key(o311)), fmt)
    assert error_of(response, 403, fmt) == "invalid_api_key"
    assert not Appointment.objects.exists()


OUTSIDE = {"lat": "30.0", "long": "110.0"}  # far from the test district


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"service_code": "NOPE-1"}, "unknown_service_item"),
        ({"service_code": ""}, "service_code_required"),
        ({"lat": None, "long": None}, "location_required"),  # address_string alone
        ({"lat": "", "long": "", "address_id": "A-17"}, "location_required"),
        ({"long": None}, "invalid_location"),
        ({"lat": None}, "invalid_location"),
        ({"lat": "forty"}, "invalid_location"),
        ({"lat": "nan"}, "invalid_location"),
        ({"long": "inf"}, "invalid_location"),
        ({"lat": "40,001"}, "invalid_location"),
        ({"lat": "95"}, "coordinates_out_of_range"),
        ({"long": "-181"}, "coordinates_out_of_range"),
        (OUTSIDE, "outside_service_area"),
        ({"phone": "12345"}, "invalid_phone"),
        ({"phone": "010-12345678"}, "invalid_phone"),  # a landline: the agent needs a mobile
        ({"phone": None}, "phone_required"),
        ({"first_name": "", "last_name": " "}, "name_required"),
        ({"service_code": "QT-000", "description": " "}, "description_required"),
        ({"media_url": "ftp://img.example.com/1.jpg"}, "invalid_media_url"),
        ({"media_url": "not a url"}, "invalid_media_url"),
        ({"email": "zhang@"}, "invalid_email"),
        ({"description": "长" * 4001}, "field_too_long"),
        ({"address_string": "址" * 301}, "field_too_long"),
        ({"first_name": "名" * 30, "last_name": "姓" * 30}, "field_too_long"),
    ],
)
def test_bad_requests_are_400_and_nothing_is_stored(o311, client, fmt, overrides, code):
    response = post(client, request_form(o311["raw_key"], **overrides), fmt)
    assert error_of(response, 400, fmt) == code
    assert not Appointment.objects.exists() and not Submission.objects.exists()


def test_the_address_only_refusal_says_why(o311, client):
    response = post(client, request_form(o311["raw_key"], lat=None, long=None))
    [error] = as_json(response, 400)
    assert "lat" in error["description"] and "long" in error["description"]


def test_an_oversized_body_is_refused(o311, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client, request_form(o311["raw_key"], description="长" * 900))
    assert error_of(response, 413) == "payload_too_large"
    assert not Appointment.objects.exists()


def test_a_json_body_is_refused(o311, client):
    response = client.post(
        "/open311/v2/requests.json", request_form(o311["raw_key"]), content_type="application/json"
    )
    assert error_of(response, 415) == "unsupported_media_type"
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("path", ["requests.html", "requests", "requests.JSON"])
def test_unknown_format_is_404(o311, client, path):
    response = client.post(f"/open311/v2/{path}", request_form(o311["raw_key"]))
    assert error_of(response, 404) in {"unknown_format", "not_found"}
    assert not Appointment.objects.exists()


def test_the_format_is_checked_before_the_key(o311, client):
    response = client.post("/open311/v2/requests.yaml", {"api_key": "wrong"})
    assert error_of(response, 404) == "unknown_format"


# --- throttle -------------------------------------------------------------------------------


def test_posts_are_throttled_per_key(o311, client, monkeypatch):
    from open311.keys import api_key_create

    monkeypatch.setattr(ApiKeyThrottle, "rate", "2/hour", raising=False)
    for _ in range(2):
        as_json(post(client, request_form(o311["raw_key"])))
    refused = post(client, request_form(o311["raw_key"]), "xml")
    assert error_of(refused, 429, "xml") == "throttled" and refused["Retry-After"]
    assert Appointment.objects.count() == 2
    # another client's key has its own allowance, from the same address
    _other, other_raw = api_key_create(name="市民热线 App")
    as_json(post(client, request_form(other_raw)))
    assert Appointment.objects.count() == 3


def test_a_bad_key_is_refused_before_the_throttle_counts(o311, client, monkeypatch):
    monkeypatch.setattr(ApiKeyThrottle, "rate", "1/hour", raising=False)
    for _ in range(3):
        assert error_of(post(client, request_form("wrong")), 403) == "invalid_api_key"
    as_json(post(client, request_form(o311["raw_key"])))


def test_the_post_rate_comes_from_settings():
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_THROTTLE_RATES["open311_post"] == "120/hour"
    assert ApiKeyThrottle().rate == "120/hour"
