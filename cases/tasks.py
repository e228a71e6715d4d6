"""django-q2 entry points (scheduled by migrations 0003 and 0010)."""

from __future__ import annotations

from django.utils import timezone

from .escalation import check_deadlines as _check_deadlines
from .register_heads import register_heads_publish


def check_deadlines() -> dict[str, int]:
    return _check_deadlines()


def publish_register_heads() -> int:
    """Daily: each station's register head (idempotent: once per station and day)."""
    return register_heads_publish(now=timezone.now())
