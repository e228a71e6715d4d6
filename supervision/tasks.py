"""Background work of supervision (django-q2). Tasks take no state and can run twice."""

from __future__ import annotations

from . import notices


def propose_notices() -> int:
    """Daily: lagging-unit notices for the latest complete periods (each proposed once)."""
    return notices.propose_notices()
