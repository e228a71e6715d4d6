"""Background work of appointments (django-q2 schedules, every minute). Idempotent."""

from __future__ import annotations

from . import services


def expire_confirmations() -> int:
    return services.expire_confirmations()


def reroute_affected() -> int:
    return services.reroute_affected()
