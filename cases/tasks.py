"""django-q2 entry points (scheduled by migration 0003)."""

from __future__ import annotations

from .escalation import check_deadlines as _check_deadlines


def check_deadlines() -> dict[str, int]:
    return _check_deadlines()
