"""GeoReport v2 output: one dict or list, as JSON or as the spec's XML (`<services><service>…`,
`<service_requests><request>…`, `<service_definition>…`, `<errors><error>…`).

Errors take the spec's form: a list of `{"code": <HTTP status>, "description": "..."}`; the
description starts with our stable error code (`invalid_phone: …`) for clients to switch on.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# the tag of each element of a list, by the list's own tag
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}
# characters XML 1.0 cannot carry at all (control characters a client might have sent us)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list | tuple):
        for child in value:
            element.append(_element(ITEM_TAGS[tag], child))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
    return element


def to_xml(root: str, data) -> bytes:
    """The document, preceded by the declaration the spec asks for (encoding="UTF-8")."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(_element(root, data), encoding="unicode").encode()
    )


def render(data, fmt: str, *, root: str, status: int = 200, headers=None) -> HttpResponse:
    """`data` as `fmt` (json or xml); `root` names the XML document element."""
    body = to_xml(root, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(
        body,
        status=status,
        content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]),
        headers=headers,
    )


def errors(status: int, code: str, message: str) -> list[dict]:
    return [{"code": status, "description": f"{code}: {message}"}]


def render_error(fmt: str, status: int, code: str, message: str, *, headers=None) -> HttpResponse:
    """The spec's error list in `fmt` (JSON when the format itself is unknown)."""
    return render(
        errors(status, code, message),
        fmt if fmt in FORMATS else "json",
        root="errors",
        status=status,
        headers=headers,
    )
