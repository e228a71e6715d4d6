"""The one authentication backend (settings.AUTHENTICATION_BACKENDS), so every way in that calls
`authenticate()` — the API log-in, /map/login/, /admin/login/ — goes through the brake (ADR 0024):

- the username or the mobile phone on the staff profile names the one account, so both count
  on the same key (`account:<id>`); a name that is no account counts on its own key, and locks
  the same way, so a lock tells nothing about who exists;
- every try counts per client address too (as the throttles see it: TRUSTED_PROXIES);
- a locked key raises `TooManyAttempts` (429 `too_many_attempts`) out of `authenticate()`: the
  API answers it as it is, the log-in pages show its message (accounts/forms.py);
- an unknown name, or an account without a usable password, costs one password hash like a
  wrong password does: the answer's time does not tell them apart.

Imports accounts, core and Django only (the phone is looked up through the reverse relation).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from core.api.throttles import client_address

from .brake import Rule, TooManyAttempts, brake_reserve, brake_settle


def login_rules() -> dict[str, Rule]:
    """The log-in policy from settings.PEOPLE (read at each try: tests change it)."""
    conf = settings.PEOPLE
    window, lockout = conf["LOGIN_WINDOW_SECONDS"], conf["LOGIN_LOCKOUT_SECONDS"]
    per_account = conf["LOGIN_MAX_FAILURES"]
    return {
        "account": Rule("account", per_account, window, lockout, reset_on_success=True),
        "name": Rule("name", per_account, window, lockout),
        "address": Rule("address", conf["LOGIN_MAX_FAILURES_PER_ADDRESS"], window, lockout),
    }


def user_for_login(identifier: str):
    """The account a log-in names: by username, else by the mobile phone on its staff profile."""
    users = get_user_model()._default_manager
    user = users.filter(username=identifier).first()
    if user is None and identifier.isdigit():
        user = users.filter(staff__phone=identifier).first()
    return user


def too_many_attempts(retry_after: int) -> TooManyAttempts:
    return TooManyAttempts(
        "too_many_attempts",
        _("Too many failed logins; try again in %(minutes)d minutes.")
        % {"minutes": max(1, math.ceil(retry_after / 60))},
        details={"retry_after": retry_after},
    )


class BrakedModelBackend(ModelBackend):
    """Django's model backend with the shared brake in front of the password check."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        rules = login_rules()
        user = user_for_login(username)
        checks = [(rules["account"], user.pk) if user else (rules["name"], username.casefold())]
        if request is not None:
            checks.append((rules["address"], client_address(request)))
        reservation = brake_reserve(checks=checks)
        if reservation.refused:
            raise too_many_attempts(reservation.retry_after)
        if user is None or not user.has_usable_password():
            make_password(password)  # one hash, as a wrong password costs
            succeeded = False
        else:
            succeeded = user.check_password(password) and self.user_can_authenticate(user)
        brake_settle(reservation=reservation, succeeded=succeeded)
        return user if succeeded else None
