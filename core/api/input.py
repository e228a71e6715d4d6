"""Request parsing shared by every API view."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from core.errors import ApplicationError


def validated(serializer_class, data) -> dict:
    """Types and shapes only (rules live in services): 400 `invalid_input` on failure."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def parse_date(value, name: str) -> date:
    """A date from a query parameter: 400 `invalid_date` unless it reads like 2026-10-01."""
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ApplicationError(
            "invalid_date",
            _("%(name)s must be a date like 2026-10-01.") % {"name": name},
            details={"field": name},
        ) from None
