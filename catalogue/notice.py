"""一次告知: the one-time notification of an item version — every material, the procedure, the
time limits, the fees or "free of charge", where and when to go — as data and as an A4 PDF.

A PDF is rendered once per item version (and per list of missing materials) and kept in the
default storage: CJK font subsetting takes seconds. A django-q2 task renders each new
version's notice in the background, so the first resident does not wait.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .models import ServiceItemVersion

FORM_ZH = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}
LEVEL_ZH = {"community": "社区（村）", "street": "街道（镇）", "district": "区"}


def check_missing(version: ServiceItemVersion, missing: Sequence[str] | None) -> list[str] | None:
    if missing is None:
        return None
    keys = {m["key"] for m in version.materials}
    unknown = sorted(set(missing) - keys)
    if unknown:
        raise ApplicationError(
            "unknown_material",
            _("Item %(code)s has no material %(keys)s.")
            % {"code": version.item.code, "keys": ", ".join(unknown)},
            details={"unknown": unknown, "materials": sorted(keys)},
        )
    return [m["key"] for m in version.materials if m["key"] in set(missing)]


def notice_data(version: ServiceItemVersion, *, missing: Sequence[str] | None = None) -> dict:
    """The notice as data. With `missing`, only those materials are listed (papers incomplete)."""
    missing = check_missing(version, missing)
    materials = (
        version.materials
        if missing is None
        else [m for m in version.materials if m["key"] in missing]
    )
    window = version.window
    where = None
    if window is not None:
        where = {
            "department": window.department,
            "window": window.name,
            "centre": window.centre.name,
            "address": window.centre.address,
            "hours": window.hours,
            "phone": window.phone,
        }
    return {
        "item": version.item.code,
        "version": version.version,
        "version_date": timezone.localtime(version.created_at).date().isoformat(),
        "name": version.name,
        "category": version.category,
        "description": version.description,
        "handling_level": version.handling_level,
        "department": version.department,
        "legal_basis": version.legal_basis,
        "eligibility": version.eligibility,
        "materials": materials,
        "only_missing": missing is not None,
        "procedure": version.procedure,
        "committed_limit_days": version.committed_limit_days,
        "proxy_limit_days": version.proxy_limit_days,
        "fees": version.fees,
        "free_of_charge": not version.fees,
        "home_visit_usual": version.home_visit_usual,
        "where": where,
    }


def _path(version: ServiceItemVersion, missing: list[str] | None) -> str:
    suffix = ""
    if missing is not None:
        suffix = "-missing-" + hashlib.sha256(",".join(missing).encode()).hexdigest()[:12]
    return f"notices/{version.item.code}-v{version.version}{suffix}.pdf"


def render_pdf(data: dict) -> bytes:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    html = render_to_string(
        "catalogue/notice.html",
        {"n": data, "forms": FORM_ZH, "level": LEVEL_ZH.get(data["handling_level"], "")},
    )
    return HTML(string=html).write_pdf()


def notice_pdf(version: ServiceItemVersion, *, missing: Sequence[str] | None = None) -> bytes:
    """The PDF, from the cache if this version (and missing list) was rendered before."""
    missing = check_missing(version, missing)
    path = _path(version, missing)
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as f:
            return f.read()
    pdf = render_pdf(notice_data(version, missing=missing))
    if not default_storage.exists(path):
        default_storage.save(path, ContentFile(pdf))
    return pdf


def notice_cached(version: ServiceItemVersion) -> bool:
    return default_storage.exists(_path(version, None))
