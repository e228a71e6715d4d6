"""The catalogue's rules, one function each, used by every write path (API, admin, loader)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from core.errors import ApplicationError

FORMS = ("original", "copy", "original_and_copy")
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def check_limits(*, committed: Any, proxy: Any) -> tuple[int, int]:
    """限时办结: both limits are whole working days ≥ 1, and proxy ≤ committed."""
    for name, value in (("committed_limit_days", committed), ("proxy_limit_days", proxy)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > 365:
            raise ApplicationError(
                "invalid_limit",
                _("%(field)s must be a whole number of working days from 1 to 365.")
                % {"field": name},
                details={"field": name},
            )
    if proxy > committed:
        raise ApplicationError(
            "proxy_limit_exceeds_committed",
            _(
                "The proxy limit (%(proxy)d working days) may not exceed the department's "
                "committed limit (%(committed)d)."
            )
            % {"proxy": proxy, "committed": committed},
            details={"proxy_limit_days": proxy, "committed_limit_days": committed},
        )
    return committed, proxy


def check_materials(materials: Any, *, allow_empty: bool = False) -> list[dict]:
    """一次告知 needs the full list: each material named, its form and number of copies."""
    if not isinstance(materials, list) or (not materials and not allow_empty):
        raise ApplicationError(
            "materials_required",
            _("An item needs its list of required materials."),
            details={"field": "materials"},
        )
    clean, keys = [], set()
    for index, m in enumerate(materials):
        where = {"field": f"materials[{index}]"}
        if not isinstance(m, dict) or not str(m.get("name", "")).strip():
            raise ApplicationError(
                "invalid_material",
                _("Material %(n)d has no name.") % {"n": index + 1},
                details=where,
            )
        key = str(m.get("key") or f"m{index + 1}")
        if not KEY.match(key) or key in keys:
            raise ApplicationError(
                "invalid_material",
                _("Material key %(key)r is malformed or repeated.") % {"key": key},
                details=where,
            )
        keys.add(key)
        form = m.get("form", "original")
        copies = m.get("copies", 1)
        if form not in FORMS:
            raise ApplicationError(
                "invalid_material",
                _("Material form must be original, copy or original_and_copy."),
                details=where,
            )
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 20:
            raise ApplicationError(
                "invalid_material",
                _("Material copies must be a whole number from 1 to 20."),
                details=where,
            )
        clean.append(
            {
                "key": key,
                "name": str(m["name"]).strip(),
                "form": form,
                "copies": copies,
                "issuer": str(m.get("issuer", "")).strip(),
                "notes": str(m.get("notes", "")).strip(),
                "agent_may_carry_original": bool(m.get("agent_may_carry_original", False)),
            }
        )
    return clean


def check_fees(fees: Any) -> list[dict]:
    """无偿代办: only fees a law or regulation requires, each with its basis; none means free."""
    if not isinstance(fees, list):
        raise ApplicationError("invalid_fee", _("Fees must be a list."), details={"field": "fees"})
    clean = []
    for index, fee in enumerate(fees):
        where = {"field": f"fees[{index}]"}
        if not isinstance(fee, dict) or not str(fee.get("name", "")).strip():
            raise ApplicationError(
                "invalid_fee", _("Fee %(n)d has no name.") % {"n": index + 1}, details=where
            )
        try:
            amount = Decimal(str(fee.get("amount")))
        except (InvalidOperation, ValueError):
            raise ApplicationError(
                "invalid_fee", _("Fee amount must be a number."), details=where
            ) from None
        if not amount.is_finite() or amount < 0:
            raise ApplicationError("negative_fee", _("A fee cannot be negative."), details=where)
        if amount == 0:
            raise ApplicationError(
                "invalid_fee", _("A zero fee is no fee: leave it out."), details=where
            )
        if not str(fee.get("legal_basis", "")).strip():
            raise ApplicationError(
                "fee_without_legal_basis",
                _("Proxy service is free: a fee needs the law or regulation that requires it."),
                details=where,
            )
        clean.append(
            {
                "name": str(fee["name"]).strip(),
                "amount": str(amount.quantize(Decimal("0.01"))),
                "legal_basis": str(fee["legal_basis"]).strip(),
            }
        )
    return clean


def check_procedure(steps: Any) -> list[str]:
    if (
        not isinstance(steps, list)
        or not steps
        or not all(isinstance(s, str) and s.strip() for s in steps)
    ):
        raise ApplicationError(
            "procedure_required",
            _("An item needs its procedure as a list of steps."),
            details={"field": "procedure"},
        )
    return [s.strip() for s in steps]
