"""Open311 API keys: issued per client by administrators (the admin, or
`python manage.py create_open311_key NAME`), checked on every POST.

A key is 32 random bytes (URL-safe base64, 43 characters); only its SHA-256 digest is stored,
so the raw key is shown once, when it is issued, and never again.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, PermissionDenied

from .models import ApiKey

KEY_BYTES = 32
# last_used_at is for administrators ("is this client still around?"): minutes are enough, and
# a write on every request would cost a row lock per POST
_TOUCH_EVERY = timedelta(minutes=5)


def key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(key: ApiKey) -> str:
    """Give an unsaved key its secret: set the digest and prefix, return the raw key (the only
    time it exists outside the client)."""
    raw = secrets.token_urlsafe(KEY_BYTES)
    key.digest = key_digest(raw)
    key.prefix = raw[:8]
    return raw


def api_key_create(*, name: str) -> tuple[ApiKey, str]:
    """A new active key for a client; returns the key row and the raw key."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            "name_required", _("An API key needs the client's name."), details={"field": "name"}
        )
    key = ApiKey(name=name[:100])
    raw = issue(key)
    key.save()
    return key, raw


def api_key_check(raw: str | None, *, now=None) -> ApiKey:
    """The active key whose digest matches `raw`; 403 `invalid_api_key` for a missing, unknown or
    deactivated one (the three look the same to the caller)."""
    raw = (raw or "").strip()
    key = ApiKey.objects.filter(digest=key_digest(raw), active=True).first() if raw else None
    if key is None:
        raise PermissionDenied(
            "invalid_api_key",
            _("A valid api_key is required to submit service requests.")
            if not raw
            else _("Invalid api_key received: it is unknown or no longer active."),
            details={"field": "api_key"},
        )
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
