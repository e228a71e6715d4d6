"""Write a notification in the caller's transaction; deliver it once that commits. The only
writers of the outbox, with `notifications.sql` for statements other apps compose.

Messages are written in the recipient's language, never in the language of whoever's request
caused them: a member of staff reads theirs in the language of their profile (`language_of`),
a resident's text messages are always Chinese (`RESIDENT_LANGUAGE`). So a translatable title or
body is passed as a callable (`lambda: _("…") % {…}`) that `notify` / `notify_resident` call with
the recipient's language active; a plain string (a reason someone typed) is stored as given.
A statement writing many at once (`notifications.sql`) translates once per language in use
(`in_language`).

Imports only Django, core and this app's models; must never import another app (the staff
profile is read through the user's `staff` relation).

Each delivery is a task on the short cluster (re-run within 30 s after a crash; ADR 0016);
`deliver_pending`, which may walk thousands of rows, stays on the main one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation

from core.tasks import enqueue_on_commit

from .models import Notification

# residents have no account and no say: their text messages are in Chinese
RESIDENT_LANGUAGE = "zh-hans"

# a text to store: as given, or made (translated) with the recipient's language active
Text = str | Callable[[], str]


def language_of(user) -> str:
    """The language `user`'s messages are written in: their staff profile's choice, else the
    service's default (an account with no profile). Reads the profile cached on the user when
    the caller loaded it (staff → user, user → staff)."""
    staff = getattr(user, "staff", None)  # the reverse one-to-one raises AttributeError if none
    return getattr(staff, "language", None) or settings.LANGUAGE_CODE


def in_language(language: str, make: Callable[[], object]):
    """`make()` with `language` active: texts made for a recipient, whatever the request's
    language is."""
    with translation.override(language):
        return make()


def _text(text: Text) -> str:
    return str(text() if callable(text) else text)  # a lazy translation is made here too


def notify(
    *, user, kind: str, title: Text, body: Text = "", data: dict | None = None
) -> Notification:
    """A notification for a member of staff, in their language."""
    title, body = in_language(language_of(user), lambda: (_text(title), _text(body)))
    notification = Notification.objects.create(
        recipient=user, kind=kind, title=title[:200], body=body, data=data or {}
    )
    enqueue_on_commit("notifications.tasks.deliver", notification.pk, short=True)
    return notification


def notify_resident(
    *, phone: str, kind: str, title: Text, body: Text = "", data: dict | None = None
) -> Notification:
    """A notification for a resident (no account): delivered by text message to `phone`,
    always in Chinese."""
    title, body = in_language(RESIDENT_LANGUAGE, lambda: (_text(title), _text(body)))
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
