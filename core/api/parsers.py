"""Request body parsers for every API view: what cannot be stored is refused at the door.

JSON bodies nested deeper than MAX_DEPTH (the deepest body of this API is a GeoJSON
multipolygon, five levels inside its object) answer 400 `malformed_request` — a body of
100,000 `[` used to exhaust the recursion limit of the JSON decoder and answer 500. Text that
PostgreSQL cannot hold or that is not Unicode — NUL (U+0000) and lone surrogates
(U+D800–U+DFFF, reachable through JSON's `\\ud800` escapes) — anywhere in a string or key, or a
form field, answers 400 `invalid_characters`. Paths and query strings get the same check in
ApiErrorMiddleware.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers

from core.errors import ApplicationError

from .input import has_unstorable_text, invalid_characters

MAX_DEPTH = 64


def too_deep() -> ApplicationError:
    return ApplicationError(
        "malformed_request",
        _("The JSON body is nested deeper than %(depth)d levels.") % {"depth": MAX_DEPTH},
        details={"max_depth": MAX_DEPTH},
    )


def check_json(value) -> None:
    """Walks a parsed JSON value without recursion: depth and characters."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if has_unstorable_text(item):
                raise invalid_characters("body")
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise too_deep()
            if isinstance(item, dict):
                for key, inner in item.items():
                    if has_unstorable_text(key):
                        raise invalid_characters("body")
                    stack.append((inner, depth + 1))
            else:
                stack.extend((inner, depth + 1) for inner in item)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        check_json(data)
        return data


def _check_fields(data) -> None:
    for key, values in data.lists():
        if has_unstorable_text(key) or any(
            isinstance(v, str) and has_unstorable_text(v) for v in values
        ):
            raise invalid_characters("body")


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_fields(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_fields(result.data)
        return result
