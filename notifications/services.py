"""Write a notification in the caller's transaction; deliver it once that commits. The only
writers of the outbox, with `notifications.sql` for statements other apps compose.

Each delivery is a task on the short cluster (re-run within 30 s after a crash; ADR 0016);
`deliver_pending`, which may walk thousands of rows, stays on the main one."""

from __future__ import annotations

from core.tasks import enqueue_on_commit

from .models import Notification


def notify(
    *, user, kind: str, title: str, body: str = "", data: dict | None = None
) -> Notification:
    notification = Notification.objects.create(
        recipient=user, kind=kind, title=title[:200], body=body, data=data or {}
    )
    enqueue_on_commit("notifications.tasks.deliver", notification.pk, short=True)
    return notification


def notify_resident(*, phone: str, kind: str, title: str, body: str = "", data: dict | None = None):
    """A notification for a resident (no account): delivered by text message to `phone`."""
    notification = Notification.objects.create(
        phone=phone, kind=kind, title=title[:200], body=body, data=data or {}
    )
    enqueue_on_commit("notifications.tasks.deliver", notification.pk, short=True)
    return notification


def deliver_on_commit(notification_ids) -> None:
    """Deliver notifications written by a composed statement (`notifications.sql`) once the
    transaction commits, each by its own task as `notify` does."""
    for pk in notification_ids:
        enqueue_on_commit("notifications.tasks.deliver", pk, short=True)


def deliver_pending_on_commit() -> None:
    """Deliver every pending notification once the transaction commits: one task for a batch
    written at once (a backlog's pass)."""
    enqueue_on_commit("notifications.tasks.deliver_pending")
