"""Writes to the catalogue: items and their versions, windows, which centres proxy which items.

District staff and administrators edit the catalogue; a station's manager (or anyone managing
its area) chooses the items their station proxies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.tasks import enqueue_on_commit
from geo.models import ServiceCentre
from people.models import Role
from people.scope import scope_for

from . import rules
from .models import ApprovalWindow, CentreItem, HandlingLevel, ServiceItem, ServiceItemVersion

# item and window codes (MZ-001, QT-000, MZ): a letter first, then letters, digits and single
# hyphens, at most 32 — a date (2026-02-30) or a bare number is not a code
CODE_PATTERN = r"[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*"
CODE_MAX_LENGTH = 32
_CODE = re.compile(CODE_PATTERN)


def is_code(value) -> bool:
    return isinstance(value, str) and len(value) <= CODE_MAX_LENGTH and bool(_CODE.fullmatch(value))


CONTENT_FIELDS = (
    "name",
    "category",
    "description",
    "handling_level",
    "department",
    "window",
    "legal_basis",
    "eligibility",
    "materials",
    "procedure",
    "committed_limit_days",
    "proxy_limit_days",
    "fees",
    "home_visit_usual",
)


def require_catalogue_editor(actor) -> None:
    scope = scope_for(actor)
    allowed = getattr(actor, "is_superuser", False) or (
        scope.staff is not None and scope.staff.has_role(Role.DISTRICT_STAFF, Role.ADMIN)
    )
    if not allowed:
        raise PermissionDenied(
            "permission_denied", _("Only district centre staff edit the catalogue.")
        )


def _prerender(version: ServiceItemVersion) -> None:
    """After commit, render the new version's one-time notice in the background."""
    if settings.CATALOGUE["PRERENDER_NOTICES"]:
        enqueue_on_commit("catalogue.tasks.render_notice", version.pk)


def item_get(*, code: str, active_only: bool = True) -> ServiceItem:
    items = ServiceItem.objects.filter(code=code)
    if active_only:
        items = items.filter(active=True)
    item = items.first()
    if item is None:
        raise NotFound(
            "unknown_service_item",
            _("No service item with code %(code)s.") % {"code": code},
            details={"code": code},
        )
    return item


def _content(data: dict[str, Any], *, other_request: bool) -> dict[str, Any]:
    """Every rule on an item's content; returns the cleaned fields of a version."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise ApplicationError(
            "name_required", _("An item needs a name."), details={"field": "name"}
        )
    level = data.get("handling_level")
    if level not in HandlingLevel.values:
        raise ApplicationError(
            "invalid_handling_level",
            _("Handling level must be community, street or district."),
            details={"field": "handling_level"},
        )
    committed, proxy = rules.check_limits(
        committed=data.get("committed_limit_days"), proxy=data.get("proxy_limit_days")
    )
    window = data.get("window")
    if window is not None and not isinstance(window, ApprovalWindow):
        window = ApprovalWindow.objects.filter(code=window).first()
        if window is None:
            raise ApplicationError(
                "unknown_window",
                _("No approval window with code %(code)s.") % {"code": data["window"]},
                details={"field": "window"},
            )
    return {
        "name": name,
        "category": str(data.get("category") or "").strip() or _("other"),
        "description": str(data.get("description") or "").strip(),
        "handling_level": level,
        "department": str(data.get("department") or "").strip(),
        "window": window,
        "legal_basis": str(data.get("legal_basis") or "").strip(),
        "eligibility": str(data.get("eligibility") or "").strip(),
        "materials": rules.check_materials(data.get("materials"), allow_empty=other_request),
        "procedure": rules.check_procedure(data.get("procedure")),
        "committed_limit_days": committed,
        "proxy_limit_days": proxy,
        "fees": rules.check_fees(data.get("fees", [])),
        "home_visit_usual": bool(data.get("home_visit_usual", False)),
    }


@transaction.atomic
def item_create(
    *, actor, code: str, data: dict[str, Any], is_other_request: bool = False
) -> ServiceItem:
    if actor is not None:
        require_catalogue_editor(actor)
    if not is_code(code):
        raise ApplicationError(
            "invalid_item_code",
            _(
                "Item code %(code)r must start with a letter and hold letters, digits and "
                "hyphens (at most 32)."
            )
            % {"code": code},
            details={"field": "code", "pattern": CODE_PATTERN, "max_length": CODE_MAX_LENGTH},
        )
    if ServiceItem.objects.filter(code=code).exists():
        raise Conflict("item_code_taken", _("Item code %(code)s is already used.") % {"code": code})
    content = _content(data, other_request=is_other_request)
    item = ServiceItem.objects.create(code=code, is_other_request=is_other_request)
    version = ServiceItemVersion.objects.create(
        item=item, version=1, created_by=actor, note="created", **content
    )
    _prerender(version)
    return item


@transaction.atomic
def item_revise(
    *, actor, item: ServiceItem, changes: dict[str, Any], note: str = ""
) -> ServiceItemVersion:
    """An edit adds a version with the changes applied to the current content."""
    if actor is not None:
        require_catalogue_editor(actor)
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    current = item.current
    unknown = sorted(set(changes) - set(CONTENT_FIELDS))
    if unknown:
        raise ApplicationError(
            "unknown_fields", _("Unknown fields: %(f)s.") % {"f": ", ".join(unknown)}
        )
    merged = {field: getattr(current, field) for field in CONTENT_FIELDS}
    merged.update(changes)
    content = _content(merged, other_request=item.is_other_request)
    if all(content[f] == getattr(current, f) for f in CONTENT_FIELDS):
        return current
    version = ServiceItemVersion.objects.create(
        item=item, version=current.version + 1, created_by=actor, note=note[:200], **content
    )
    _prerender(version)
    return version


@transaction.atomic
def item_deactivate(*, actor, item: ServiceItem) -> ServiceItem:
    require_catalogue_editor(actor)
    item.active = False
    item.save(update_fields=["active"])
    return item


@transaction.atomic
def window_create(
    *, actor, code: str, department: str, name: str, centre: ServiceCentre, hours: str, phone: str
) -> ApprovalWindow:
    if actor is not None:
        require_catalogue_editor(actor)
    if not is_code(code):
        raise ApplicationError(
            "invalid_window_code",
            _(
                "Window code %(code)r must start with a letter and hold letters, digits and "
                "hyphens (at most 32)."
            )
            % {"code": code},
            details={"field": "code", "pattern": CODE_PATTERN, "max_length": CODE_MAX_LENGTH},
        )
    if ApprovalWindow.objects.filter(code=code).exists():
        raise Conflict(
            "window_code_taken", _("Window code %(code)s is already used.") % {"code": code}
        )
    if not department.strip() or not name.strip():
        raise ApplicationError("window_incomplete", _("A window needs its department and name."))
    return ApprovalWindow.objects.create(
        code=code,
        department=department.strip(),
        name=name.strip(),
        centre=centre,
        hours=hours,
        phone=phone,
    )


@transaction.atomic
def centre_items_set(*, actor, centre: ServiceCentre, codes: Iterable[str]) -> list[ServiceItem]:
    """Replace the list of items a centre proxies."""
    if actor is not None and not scope_for(actor).manages_area(centre.area_id):
        raise PermissionDenied("permission_denied", _("You may not change this centre's items."))
    items = []
    for code in dict.fromkeys(codes):
        items.append(item_get(code=code))
    CentreItem.objects.filter(centre=centre).exclude(item__in=items).delete()
    for item in items:
        CentreItem.objects.get_or_create(centre=centre, item=item)
    return items
