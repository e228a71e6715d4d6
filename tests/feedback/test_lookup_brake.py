"""A complaint's look-up (tracking code + the phone's last four digits) is limited per code like
case tracking (ADR 0024): 10 wrong tries lock the code, from any address."""

import pytest
from rest_framework.test import APIClient

from tests.feedback.helpers import complaint_about

pytestmark = pytest.mark.django_db


def test_ten_wrong_tries_from_anywhere_lock_a_complaint_code(fb_world):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    url = f"/api/v1/complaints/track/{complaint.tracking_code}/"
    for n in range(10):
        wrong = APIClient().get(url, {"phone": f"{n:04d}"}, REMOTE_ADDR=f"203.0.113.{n}")
        assert wrong.status_code == 404
    locked = APIClient().get(url, {"phone": "5678"}, REMOTE_ADDR="203.0.113.99")
    assert (locked.status_code, locked.json()["error"]["code"]) == (429, "too_many_attempts")
