"""API keys: issued per client, stored only as a SHA-256 digest, shown once (command output,
admin message), deactivated rather than deleted."""

import hashlib
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from appointments.models import Appointment
from core.errors import ApplicationError, PermissionDenied
from open311 import keys
from open311.models import ApiKey
from tests.open311.helpers import as_json, error_of, post, request_form

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_its_digest():
    key, raw = keys.api_key_create(name="  城市随手拍 ")
    assert key.name == "城市随手拍" and key.active and key.last_used_at is None
    assert len(raw) == 43  # 32 random bytes, URL-safe base64
    assert key.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert key.prefix == raw[:8]
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert raw not in {str(v) for v in stored.values()}
    other, other_raw = keys.api_key_create(name="城市随手拍")  # a second key for one client
    assert other_raw != raw and other.digest != key.digest


def test_a_key_needs_a_name():
    with pytest.raises(ApplicationError) as refused:
        keys.api_key_create(name=" ")
    assert refused.value.code == "name_required"


def test_checking_a_key():
    key, raw = keys.api_key_create(name="client")
    now = timezone.now()
    assert keys.api_key_check(raw, now=now) == key
    key.refresh_from_db()
    assert key.last_used_at == now
    for wrong in (None, "", "x" * 43, raw.upper() if raw.upper() != raw else raw + "x"):
        with pytest.raises(PermissionDenied) as refused:
            keys.api_key_check(wrong)
        assert refused.value.code == "invalid_api_key" and refused.value.status == 403
    key.active = False
    key.save()
    with pytest.raises(PermissionDenied):
        keys.api_key_check(raw)


def test_the_command_prints_a_key_that_works(o311, client):
    out, err = StringIO(), StringIO()
    call_command("create_open311_key", "市民热线 App", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", raw)
    key = ApiKey.objects.get(name="市民热线 App")
    assert key.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert key.prefix in err.getvalue() and "only its hash is kept" in err.getvalue()
    [created] = as_json(post(client, request_form(raw)))
    assert Appointment.objects.get().tracking_code == created["service_request_id"]
    assert Appointment.objects.get().open311_submission.api_key == key


def test_the_command_needs_a_name():
    with pytest.raises(CommandError):
        call_command("create_open311_key", " ", stdout=StringIO(), stderr=StringIO())


# --- admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("root", password="pw-12345")
    client.force_login(admin)
    return client


def test_the_admin_shows_a_new_key_once(o311, admin_client):
    response = admin_client.post(
        "/admin/open311/apikey/add/", {"name": "区政府门户", "_save": "1"}, follow=True
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="区政府门户")
    messages = [str(m) for m in response.context["messages"]]
    shown = [
        token
        for m in messages
        for token in re.findall(r"[A-Za-z0-9_-]{43}", m)
        if hashlib.sha256(token.encode()).hexdigest() == key.digest
    ]
    assert len(shown) == 1
    raw = shown[0]
    # never again: not on the change page, nor in the list
    change = admin_client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()
    listing = admin_client.get("/admin/open311/apikey/").content.decode()
    assert raw not in change and raw not in listing
    # and it works
    as_json(post(admin_client, request_form(raw)))


def test_the_admin_deactivates_keys(o311, admin_client, client):
    response = admin_client.post(
        "/admin/open311/apikey/",
        {"action": "deactivate", "_selected_action": [o311["key"].pk]},
        follow=True,
    )
    assert response.status_code == 200
    o311["key"].refresh_from_db()
    assert not o311["key"].active
    assert error_of(post(client, request_form(o311["raw_key"])), 403) == "invalid_api_key"


def test_the_admin_edits_but_never_deletes_keys(o311, admin_client):
    page = admin_client.get(f"/admin/open311/apikey/{o311['key'].pk}/change/").content.decode()
    assert 'name="active"' in page and 'name="digest"' not in page
    response = admin_client.post(f"/admin/open311/apikey/{o311['key'].pk}/delete/")
    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=o311["key"].pk).exists()
