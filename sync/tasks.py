"""django-q2 entry point (scheduled daily by migration 0003)."""

from .log import purge as _purge


def purge() -> int:
    return _purge()
