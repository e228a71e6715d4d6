"""`Authorization: Token <key>`: the per-device tokens of accounts.DeviceToken."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core import rows

from .models import DeviceToken
from .services import token_digest

_TOUCH_EVERY = timedelta(minutes=5)


@cache
def token_select() -> tuple[str, list]:
    """SQL selecting the live token with the digest `%s` and its user (at most one row), and the
    parts `token_from_row` reads back."""
    user_model = get_user_model()
    token_fields, token_columns = rows.columns(DeviceToken, "t")
    user_fields, user_columns = rows.columns(user_model, "u")
    sql = (
        f"SELECT {token_columns}, {user_columns} FROM {DeviceToken._meta.db_table} t "
        f"JOIN {user_model._meta.db_table} u ON u.id = t.user_id "
        "WHERE t.digest = %s AND t.revoked_at IS NULL LIMIT 1"
    )
    return sql, [(DeviceToken, token_fields), (user_model, user_fields)]


def token_from_row(row, parts) -> DeviceToken | None:
    if row is None or row[0] is None:
        return None
    token, token.user = rows.split(row, *parts)
    return token


def token_with_user(digest: str) -> DeviceToken | None:
    """The live token with this digest and its user, in one query (every API request asks)."""
    sql, parts = token_select()
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest])
        row = cursor.fetchone()
    return token_from_row(row, parts)


def token_accepted(token: DeviceToken | None) -> tuple:
    """What the API answers for a token found (or not) by its digest: (user, token), or
    AuthenticationFailed for a missing or revoked token or an inactive user. Touches the
    token's last use at most every five minutes."""
    if token is None or not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


class DeviceTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"
    model = DeviceToken

    def authenticate_credentials(self, key):
        return token_accepted(token_with_user(token_digest(key)))
