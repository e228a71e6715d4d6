"""Delivery backends behind one interface. Phones in China have no Google services and kill
background apps, so polling the outbox is not enough in production: an SMS gateway and a vendor
push service (Huawei, Xiaomi, OPPO, vivo… usually through one aggregator) reach the phone.

settings.NOTIFICATIONS["BACKENDS"] lists dotted paths; each backend gets the notification and
its recipient's phone. A backend raises DeliveryError to have the task retry later.
"""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings

logger = logging.getLogger("notifications")


class DeliveryError(Exception):
    pass


class Backend:
    name = "base"

    def send(self, notification, *, phone: str | None) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogBackend(Backend):
    """The default: write the notification to the log (the app polls the outbox)."""

    name = "log"

    def send(self, notification, *, phone=None) -> None:
        logger.info(
            "notify %s: %s — %s",
            f"user {notification.recipient_id}"
            if notification.recipient_id
            else f"phone {notification.phone[:3]}****{notification.phone[-4:]}",
            notification.title,
            notification.body,
        )


def _post_json(url: str, payload: dict, headers: dict[str, str], timeout: float) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read().decode() or "{}"
            return json.loads(body)
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"{url}: {exc}") from exc


class SmsGatewayBackend(Backend):
    """A text message through an HTTP SMS gateway (Aliyun, Tencent Cloud and most domestic
    gateways take a signed JSON POST with a template and its parameters)."""

    name = "sms"

    def send(self, notification, *, phone=None) -> None:
        conf = settings.NOTIFICATIONS["SMS"]
        if not phone:
            return
        payload = {
            "phone": phone,
            "sign_name": conf.get("SIGN_NAME", ""),
            "template": conf.get("TEMPLATE", "generic"),
            "params": {"title": notification.title, "body": notification.body[:60]},
        }
        answer = _post_json(
            conf["URL"], payload, {"Authorization": f"Bearer {conf['KEY']}"}, conf.get("TIMEOUT", 5)
        )
        if answer.get("code") not in (0, "0", "OK", None):
            raise DeliveryError(f"sms gateway refused: {answer}")


class VendorPushBackend(Backend):
    """A push message through a phone-vendor push aggregator, addressed by user id (the app
    registers its device tokens with the aggregator under the user's id)."""

    name = "push"

    def send(self, notification, *, phone=None) -> None:
        conf = settings.NOTIFICATIONS["PUSH"]
        if notification.recipient_id is None:
            return  # a resident without the app: the SMS backend reaches them
        payload = {
            "app_id": conf.get("APP_ID", ""),
            "alias": f"user-{notification.recipient_id}",
            "title": notification.title,
            "body": notification.body,
            "data": notification.data,
        }
        answer = _post_json(
            conf["URL"], payload, {"Authorization": f"Bearer {conf['KEY']}"}, conf.get("TIMEOUT", 5)
        )
        if answer.get("code") not in (0, "0", "OK", None):
            raise DeliveryError(f"push service refused: {answer}")
