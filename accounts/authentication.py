"""`Authorization: Token <key>`: the per-device tokens of accounts.DeviceToken."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import DeviceToken
from .services import token_digest

_TOUCH_EVERY = timedelta(minutes=5)


class DeviceTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"
    model = DeviceToken

    def authenticate_credentials(self, key):
        token = (
            DeviceToken.objects.select_related("user")
            .filter(digest=token_digest(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
