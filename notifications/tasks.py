"""Delivery (django-q2): idempotent by id; a delivered notification is never sent again.

Locking rule: `deliver` claims its outbox row with `SELECT … FOR UPDATE SKIP LOCKED`, sends, and
marks it sent in that same transaction. A second run of the same task at the same time (the
short cluster hands a task again 30 s after it was taken, ADR 0016) finds the row locked and
does nothing; a later one finds it delivered. A worker killed mid-send loses its connection, so
its lock and its uncommitted mark go with it, and the re-run sends: a message is sent twice only
when the process dies between the gateway's answer and the commit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .backends import DeliveryError
from .models import Notification

MAX_ATTEMPTS = 5


def deliver(notification_id: int) -> bool:
    error = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient__staff")
            .filter(pk=notification_id, delivered_at__isnull=True)
            .first()
        )
        if notification is None:
            return False  # delivered already, or being delivered by another worker
        staff = getattr(notification.recipient, "staff", None)
        phone = notification.phone or (staff.phone if staff is not None else None)
        notification.attempts += 1
        try:
            for path in settings.NOTIFICATIONS["BACKENDS"]:
                import_string(path)().send(notification, phone=phone)
        except DeliveryError as exc:
            error = exc
            notification.last_error = str(exc)[:300]
            notification.save(update_fields=["attempts", "last_error"])
        else:
            notification.delivered_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["attempts", "delivered_at", "last_error"])
            return True
    if notification.attempts >= MAX_ATTEMPTS:
        return False
    raise error  # after the attempt is recorded: django-q2 retries the task later


def deliver_pending(limit: int = 5000) -> int:
    """Deliver what is waiting (after a bulk write); each one still only once."""
    ids = list(
        Notification.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    delivered = 0
    for pk in ids:
        try:
            delivered += deliver(pk)
        except DeliveryError:
            continue  # recorded on the row; the next run tries again
    return delivered
