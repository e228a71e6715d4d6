"""The trail in the admin: listed and shown, never added, changed or deleted."""

import pytest
from django.contrib.auth import get_user_model

from audit.models import Change

pytestmark = pytest.mark.django_db


def test_the_admin_shows_the_trail_read_only(world, client):
    root = get_user_model().objects.create_superuser("root", password="pw-12345")
    client.force_login(root)
    change = Change.objects.filter(table_name="geo_grid").first()
    listing = client.get("/admin/audit/change/?table_name=geo_grid")
    assert listing.status_code == 200 and b"geo_grid" in listing.content
    detail = client.get(f"/admin/audit/change/{change.pk}/change/")
    assert detail.status_code == 200 and b"MultiPolygon" in detail.content
    assert client.get("/admin/audit/change/add/").status_code == 403
    assert client.get(f"/admin/audit/change/{change.pk}/delete/").status_code == 403
