"""The case rules that are checks on input, one function each, used by every write path."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from catalogue.models import ServiceItemVersion
from core.errors import ApplicationError

from .models import Holder

PROVIDED, MISSING, NOT_APPLICABLE = "provided", "missing", "not_applicable"
CHECK_VALUES = (PROVIDED, MISSING, NOT_APPLICABLE)


def check_checklist(version: ServiceItemVersion, checklist) -> dict[str, str]:
    """Pre-review: every material of the item version marked provided, missing or not
    applicable — no more, no fewer."""
    if not isinstance(checklist, dict):
        raise ApplicationError(
            "invalid_checklist",
            _("The checklist maps each material's key to provided, missing or not_applicable."),
            details={"field": "checklist"},
        )
    keys = [m["key"] for m in version.materials]
    unknown = sorted(set(checklist) - set(keys))
    if unknown:
        raise ApplicationError(
            "unknown_material",
            _("The item has no material %(keys)s.") % {"keys": ", ".join(unknown)},
            details={"field": "checklist", "unknown": unknown, "materials": keys},
        )
    absent = [k for k in keys if k not in checklist]
    if absent:
        raise ApplicationError(
            "incomplete_checklist",
            _("The checklist must mark every material; not marked: %(keys)s.")
            % {"keys": ", ".join(absent)},
            details={"field": "checklist", "not_marked": absent},
        )
    bad = sorted(k for k, v in checklist.items() if v not in CHECK_VALUES)
    if bad:
        raise ApplicationError(
            "invalid_checklist",
            _("Mark each material provided, missing or not_applicable (check %(keys)s).")
            % {"keys": ", ".join(bad)},
            details={"field": "checklist", "invalid": bad},
        )
    return {k: checklist[k] for k in keys}


def missing_of(checklist: dict[str, str]) -> list[str]:
    return [k for k, v in checklist.items() if v == MISSING]


def check_fee(version: ServiceItemVersion, name, amount) -> tuple[str, Decimal, str]:
    """无偿代办: the proxy itself is free; only a fee the item version lists with its legal
    basis may be recorded, and never above the listed amount."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = None
    if (
        value is None
        or not value.is_finite()
        or value <= 0
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ApplicationError(
            "invalid_amount",
            _("The amount must be a positive sum in yuan with at most two decimals."),
            details={"field": "amount"},
        )
    listed = next((f for f in version.fees if f.get("name") == str(name or "").strip()), None)
    if listed is None:
        raise ApplicationError(
            "fee_not_allowed",
            _(
                "Proxy service is free: only the fees the item lists as legally required may be "
                "recorded (%(fees)s)."
            )
            % {"fees": ", ".join(f["name"] for f in version.fees) or _("none for this item")},
            details={"field": "name", "allowed": [f["name"] for f in version.fees]},
        )
    if value > Decimal(str(listed["amount"])):
        raise ApplicationError(
            "fee_not_allowed",
            _("%(name)s is %(limit)s yuan by law; %(amount)s may not be charged.")
            % {"name": listed["name"], "limit": listed["amount"], "amount": value},
            details={"field": "amount", "limit": str(listed["amount"])},
        )
    return listed["name"], value, listed.get("legal_basis", "")


# where an original may go next: resident → agent → centre → window → … → back to the resident
CUSTODY_MOVES = {
    Holder.RESIDENT: {Holder.AGENT, Holder.CENTRE},
    Holder.AGENT: {Holder.CENTRE, Holder.WINDOW, Holder.RESIDENT},
    Holder.CENTRE: {Holder.AGENT, Holder.WINDOW, Holder.RESIDENT},
    Holder.WINDOW: {Holder.CENTRE, Holder.AGENT},
}


def check_custody_move(current: str, to: str) -> None:
    if to not in Holder.values:
        raise ApplicationError(
            "invalid_holder",
            _("Hand an original to one of: %(holders)s.") % {"holders": ", ".join(Holder.values)},
            details={"field": "holder"},
        )
    if to not in CUSTODY_MOVES[current]:
        raise ApplicationError(
            "invalid_custody_move",
            _("An original held by %(current)s cannot go to %(to)s.")
            % {"current": current, "to": to},
            details={"from": current, "to": to},
            status=409,
        )


def check_rating(rating, comment) -> tuple[int | None, str]:
    if rating in (None, ""):
        return None, str(comment or "")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApplicationError(
            "invalid_rating",
            _("A rating is a whole number from 1 to 5."),
            details={"field": "rating"},
        )
    return rating, str(comment or "")[:2000]
