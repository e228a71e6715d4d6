"""Login on a device, per-device tokens, revocation (the failed-login brake: backends.py)."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound

from .models import DeviceToken


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def login_with_password(*, identifier: str, password: str, device: str, request=None):
    """→ (user, raw token key). The raw key is shown once; only its digest is kept. The
    username or phone and the password go through `authenticate()`, hence the brake every
    log-in shares (accounts/backends.py): a locked account or address raises 429
    `too_many_attempts`. `request` gives the client address the brake counts (without one, from
    a script, only the account is counted)."""
    authenticated = authenticate(request, username=identifier, password=password)
    if authenticated is None:
        raise ApplicationError(
            "invalid_credentials", _("Wrong username, phone or password."), status=401
        )
    raw = secrets.token_urlsafe(32)
    DeviceToken.objects.create(
        user=authenticated, digest=token_digest(raw), prefix=raw[:8], device=device[:100]
    )
    authenticated.last_login = timezone.now()
    authenticated.save(update_fields=["last_login"])
    return authenticated, raw


def token_revoke(*, user, token_id: int) -> DeviceToken:
    """Revoke one of the user's own tokens (for example the lost phone's, from another)."""
    token = DeviceToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("unknown_token", _("No such active login."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def tokens_revoke_all(*, user) -> int:
    return DeviceToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
