"""Small input rules shared by every domain: mainland mobile numbers, resident ID numbers."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .errors import ApplicationError

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(value: str, *, field: str = "phone") -> str:
    """A mainland China mobile number (11 digits, 13x–19x); spaces, dashes and +86 are dropped."""
    raw = str(value or "")
    digits = re.sub(r"[\s-]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not MOBILE.match(digits):
        raise ApplicationError(
            "invalid_phone",
            _("%(value)r is not a mainland mobile number (11 digits starting 13–19).")
            % {"value": raw},
            details={"field": field},
        )
    return digits
