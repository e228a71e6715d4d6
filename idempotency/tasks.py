"""Background work of idempotency keys (a django-q2 schedule, hourly). Idempotent."""

from __future__ import annotations

from . import services


def purge_expired() -> int:
    """Delete the records whose time is up; the middleware already ignores them."""
    return services.records_purge()
