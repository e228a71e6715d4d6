"""Request parsing shared by every API view.

Query parameters are read through the `query_*` helpers: a value the operation does not know
(`?status=AAA`, `?page_size=0`, `?unread=maybe`) is refused with 400 `invalid_parameter`
(details: the parameter, the value and what is allowed), never read as "no filter".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import unquote_to_bytes

from django.utils.translation import gettext as _

from core.errors import ApplicationError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
TRUE_VALUES = ("true", "1")
FALSE_VALUES = ("false", "0")
# statistical division codes (6, 9 or 12 digits); their existence is the selectors' business
DIVISION_CODE = re.compile(r"[0-9]{6}([0-9]{3}){0,2}")


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


def invalid_parameter(name: str, value: str, allowed) -> ApplicationError:
    return ApplicationError(
        "invalid_parameter",
        _("Query parameter %(name)s cannot be %(value)r.") % {"name": name, "value": value},
        details={"parameter": name, "value": value, "allowed": allowed},
    )


def query_choice(request, name: str, allowed: Iterable[str], default: str | None = None):
    """One of `allowed`, or `default` when the parameter is absent or empty."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return default
    allowed = list(allowed)
    if value not in allowed:
        raise invalid_parameter(name, value, allowed)
    return value


def query_int(request, name: str, *, minimum: int, maximum: int, default: int | None = None):
    """A whole number in minimum..maximum, or `default` when absent or empty."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return default
    if not (value.isascii() and value.isdigit()) or not minimum <= int(value) <= maximum:
        raise invalid_parameter(name, value, {"minimum": minimum, "maximum": maximum})
    return int(value)


def query_bool(request, name: str, default: bool = False) -> bool:
    """true/1 or false/0; `default` when absent or empty."""
    value = query_choice(request, name, TRUE_VALUES + FALSE_VALUES)
    return default if value is None else value in TRUE_VALUES


def query_division_code(request, name: str) -> str | None:
    """A statistical division code (6, 9 or 12 digits) in its 12-digit form, or None."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not DIVISION_CODE.fullmatch(value):
        raise invalid_parameter(name, value, "a 6-, 9- or 12-digit division code")
    return value.ljust(12, "0")


def has_unstorable_text(text: str) -> bool:
    """NUL or a lone surrogate: neither PostgreSQL nor UTF-8 can carry it."""
    return _UNSTORABLE.search(text) is not None


def invalid_characters(where: str) -> ApplicationError:
    return ApplicationError(
        "invalid_characters",
        _("The request contains characters that are not allowed (NUL or invalid Unicode)."),
        details={"where": where},
    )


def check_url(request) -> None:
    """400 `invalid_characters` for a path with NUL (`%00`) or a query string that is not
    UTF-8 or carries NUL (`%00`, `%ED%A0%80`). Django decodes the path as UTF-8 (bytes that
    are not stay percent-encoded, harmless) but lets NUL through to the database; query
    strings it decodes with replacement characters, so they are read from the raw bytes."""
    if has_unstorable_text(request.path_info):
        raise invalid_characters("path")
    query = unquote_to_bytes(request.META.get("QUERY_STRING", "").replace("+", " "))
    try:
        unreadable = has_unstorable_text(query.decode("utf-8"))
    except UnicodeDecodeError:
        unreadable = True
    if unreadable:
        raise invalid_characters("query")
