"""Delivery through the backends, against a real HTTP server on loopback (no mocks)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications.backends import DeliveryError
from notifications.models import Notification
from notifications.tasks import deliver
from tests.factories import make_staff


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    answer = {"code": 0}

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            (self.path, self.headers["Authorization"], json.loads(self.rfile.read(length)))
        )
        payload = json.dumps(Gateway.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.received = []
    Gateway.answer = {"code": 0}
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def note(db):
    staff = make_staff("agent-n", "agent", phone="13904279999")
    return Notification.objects.create(
        recipient=staff.user, kind="test", title="新预约", body="请确认"
    )


def test_sms_and_push_adapters_deliver_once(note, gateway, settings):
    settings.NOTIFICATIONS = {
        "BACKENDS": [
            "notifications.backends.SmsGatewayBackend",
            "notifications.backends.VendorPushBackend",
            "notifications.backends.LogBackend",
        ],
        "SMS": {"URL": gateway + "/sms", "KEY": "k1", "SIGN_NAME": "便民代办"},
        "PUSH": {"URL": gateway + "/push", "KEY": "k2", "APP_ID": "app"},
    }
    assert deliver(note.pk) is True
    assert deliver(note.pk) is False  # delivered once, never twice
    paths = [(p, auth) for p, auth, _ in Gateway.received]
    assert paths == [("/sms", "Bearer k1"), ("/push", "Bearer k2")]
    sms = Gateway.received[0][2]
    assert sms["phone"] == "13904279999" and sms["params"]["title"] == "新预约"
    assert Gateway.received[1][2]["alias"] == f"user-{note.recipient_id}"
    note.refresh_from_db()
    assert note.delivered_at is not None and note.attempts == 1


def test_a_refusal_is_retried_later(note, gateway, settings):
    Gateway.answer = {"code": 500, "message": "quota"}
    settings.NOTIFICATIONS = {
        "BACKENDS": ["notifications.backends.SmsGatewayBackend"],
        "SMS": {"URL": gateway + "/sms", "KEY": "k"},
        "PUSH": {},
    }
    with pytest.raises(DeliveryError):
        deliver(note.pk)
    note.refresh_from_db()
    assert note.delivered_at is None and note.attempts == 1 and "quota" in note.last_error
