"""Login on a device, per-device tokens, revocation, and the failed-login brake."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound

from .models import DeviceToken

User = get_user_model()


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TooManyAttempts(ApplicationError):
    status = 429


def _failure_keys(username: str, client: str) -> list[str]:
    name = hashlib.sha256(username.lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{name}", f"login-fail:client:{client}"]


def _check_not_locked(username: str, client: str) -> None:
    limit = settings.PEOPLE["LOGIN_MAX_FAILURES"]
    for key in _failure_keys(username, client):
        if (cache.get(key) or 0) >= limit * (4 if ":client:" in key else 1):
            raise TooManyAttempts(
                "too_many_attempts",
                _("Too many failed logins; try again in %(minutes)d minutes.")
                % {"minutes": settings.PEOPLE["LOGIN_LOCKOUT_SECONDS"] // 60},
                details={"retry_after": settings.PEOPLE["LOGIN_LOCKOUT_SECONDS"]},
            )


def _record_failure(username: str, client: str) -> None:
    timeout = settings.PEOPLE["LOGIN_LOCKOUT_SECONDS"]
    for key in _failure_keys(username, client):
        if cache.add(key, 1, timeout):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout)


def _user_for_login(identifier: str):
    """Username, or the mobile phone on the staff profile."""
    user = User.objects.filter(username=identifier).first()
    if user is None and identifier.isdigit():
        user = User.objects.filter(staff__phone=identifier).first()
    return user


def login_with_password(*, identifier: str, password: str, device: str, client: str):
    """→ (user, raw token key). The raw key is shown once; only its digest is kept."""
    _check_not_locked(identifier, client)
    user = _user_for_login(identifier)
    authenticated = (
        authenticate(username=user.get_username(), password=password) if user is not None else None
    )
    if authenticated is None:
        _record_failure(identifier, client)
        raise ApplicationError(
            "invalid_credentials", _("Wrong username, phone or password."), status=401
        )
    for key in _failure_keys(identifier, client)[:1]:
        cache.delete(key)
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
