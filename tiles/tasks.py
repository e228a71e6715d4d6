"""django-q2 entry points (scheduled by migration 0003). Both are idempotent."""

from __future__ import annotations

from .gaps import gaps_refresh as _gaps_refresh
from .generations import generations_compact as _generations_compact


def gaps_refresh() -> int:
    return _gaps_refresh()


def generations_compact() -> int:
    return _generations_compact()
