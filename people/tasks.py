"""Background work of the people app (django-q2). Tasks take no state and can run twice."""

from __future__ import annotations

from . import services


def purge_positions() -> int:
    """Daily: forget positions older than the retention period (PIPL: keep tracks briefly)."""
    return services.positions_purge()
