"""Background work of the spatial core (django-q2): idempotent, by id and run (geo.uploads)."""

from __future__ import annotations

from .uploads import apply_run, preview_run


def boundary_upload_preview(upload_id: str, run: int) -> str:
    """Read an uploaded boundary file and keep its preview; nothing is saved."""
    return preview_run(upload_id, run)


def boundary_upload_apply(upload_id: str, run: int) -> str:
    """Import an uploaded boundary file, all or nothing."""
    return apply_run(upload_id, run)
