"""Input fields with the limits every request body shares (ADR 0025, docs/adr/).

Every text a client sends has a length limit, every number a range and every list a size:
nothing a phone or a script sends can fill a column with a megabyte or a number no column
holds. A refusal is 400 `invalid_input`; `details.codes` names the rule each field broke
(`max_length`, `max_value`, `not_a_number`, `too_many_items`, …).
"""

from __future__ import annotations

import math

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# free text: descriptions, notes, reasons, replies, complaint and suggestion texts
TEXT_MAX_LENGTH = 2000
# the longer texts of the catalogue (legal basis, eligibility, an item's description)
LONG_TEXT_MAX_LENGTH = 4000
NAME_MAX_LENGTH = 50
PHONE_MAX_LENGTH = 20
CODE_MAX_LENGTH = 32
# a statistical division code (6, 9 or 12 digits)
DIVISION_CODE_MAX_LENGTH = 12
CRS_MAX_LENGTH = 32
# ids are PostgreSQL bigints
ID_MAX = 2**63 - 1
# the items of a JSON object or list a client sends (checklists, originals, records)
ITEMS_MAX = 100


class NumberField(serializers.FloatField):
    """A JSON number: `true`, `"12"`, NaN and infinities are refused (`not_a_number`), where
    DRF's FloatField reads `true` as 1.0."""

    default_error_messages = {"not_a_number": _("A finite number is required.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float) or not math.isfinite(data):
            self.fail("not_a_number")
        return super().to_internal_value(data)


def id_field(**kwargs) -> serializers.IntegerField:
    """A row id: 1 to the largest bigint (a larger number used to reach the database)."""
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def crs_field(**kwargs) -> serializers.CharField:
    """The body's `crs`; which values are known is geo's rule (`unknown_crs`)."""
    kwargs.setdefault("help_text", "wgs84 (default), gcj02 or bd09.")
    return serializers.CharField(required=False, max_length=CRS_MAX_LENGTH, **kwargs)


def bounded_json(value) -> None:
    """A validator for free-form JSON (dicts and lists a client sends): at most ITEMS_MAX
    entries in each object or list and TEXT_MAX_LENGTH characters in each string or key."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > TEXT_MAX_LENGTH:
                raise serializers.ValidationError(
                    _("Texts hold at most %(n)d characters.") % {"n": TEXT_MAX_LENGTH},
                    code="max_length",
                )
        elif isinstance(item, dict | list):
            if len(item) > ITEMS_MAX:
                raise serializers.ValidationError(
                    _("At most %(n)d items.") % {"n": ITEMS_MAX}, code="too_many_items"
                )
            stack.extend(item.keys() if isinstance(item, dict) else ())
            stack.extend(item.values() if isinstance(item, dict) else item)
