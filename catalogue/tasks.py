"""Background work of the catalogue (django-q2): idempotent, by id."""

from __future__ import annotations

from .models import ServiceItemVersion
from .notice import notice_cached, notice_pdf


def render_notice(version_id: int) -> bool:
    """Render a version's notice PDF into the cache; does nothing if it is there already."""
    version = (
        ServiceItemVersion.objects.select_related("item", "window__centre")
        .filter(pk=version_id)
        .first()
    )
    if version is None or notice_cached(version):
        return False
    notice_pdf(version)
    return True
