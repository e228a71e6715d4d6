"""django-q2 entry points (scheduled by migrations 0003 and 0005). All are idempotent."""

from __future__ import annotations

from .figures import figures_refresh as _figures_refresh
from .gaps import gaps_refresh as _gaps_refresh
from .generations import generations_compact as _generations_compact


def gaps_refresh() -> int:
    return _gaps_refresh()


def generations_compact() -> int:
    return _generations_compact()


def figures_refresh() -> int:
    return _figures_refresh()
