"""Write a notification in the caller's transaction; deliver it once that commits."""

from __future__ import annotations

from core.tasks import enqueue_on_commit

from .models import Notification


def notify(
    *, user, kind: str, title: str, body: str = "", data: dict | None = None
) -> Notification:
    notification = Notification.objects.create(
        recipient=user, kind=kind, title=title[:200], body=body, data=data or {}
    )
    enqueue_on_commit("notifications.tasks.deliver", notification.pk)
    return notification


def notify_resident(*, phone: str, kind: str, title: str, body: str = "", data: dict | None = None):
    """A notification for a resident (no account): delivered by text message to `phone`."""
    notification = Notification.objects.create(
        phone=phone, kind=kind, title=title[:200], body=body, data=data or {}
    )
    enqueue_on_commit("notifications.tasks.deliver", notification.pk)
    return notification
