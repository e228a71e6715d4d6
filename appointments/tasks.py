"""Background work of appointments (django-q2 schedules, every minute). Idempotent."""

from __future__ import annotations

from . import sweeps


def expire_confirmations() -> int:
    return sweeps.expire_confirmations()


def reroute_affected() -> int:
    return sweeps.reroute_affected()
