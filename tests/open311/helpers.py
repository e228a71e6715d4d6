"""Checks of Open311 answers against the GeoReport v2 contract: the JSON Schemas (copied from
the open311/schema-validation repository into schemas/), the spec's field lists, the XML form,
and the spec's error form."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlparse

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.geo.helpers import lonlat

BASE = "/open311/v2"
SCHEMAS = Path(__file__).parent / "schemas"

# the spec's field lists (GeoReport v2), per resource
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
CREATED_FIELDS = {"service_request_id", "service_notice", "account_id"}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
}
ERROR_FIELDS = {"code", "description"}

_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
formats = FormatChecker(formats=())


@formats.checks("date-time")
def _w3c_datetime(value) -> bool:
    """The spec's W3C date-time: seconds and a time zone are required."""
    if not isinstance(value, str) or not _W3C.match(value):
        return False
    return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


@formats.checks("uri")
def _uri(value) -> bool:
    parts = urlparse(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme and parts.netloc)


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


_REGISTRY = Registry().with_resources(
    (name, Resource.from_contents(_schema(name), default_specification=DRAFT7))
    for name in ("service.json", "request.json")
)


def validate(instance, schema_name: str) -> None:
    """Raise jsonschema.ValidationError unless `instance` fits the GeoReport v2 schema."""
    validator = Draft7Validator(_schema(schema_name), registry=_REGISTRY, format_checker=formats)
    validator.validate(instance)


def get(client, path: str, fmt: str = "json", **params):
    url = f"{BASE}/{path}.{fmt}" + (f"?{urlencode(params)}" if params else "")
    return client.get(url)


def post(client, fields: dict, fmt: str = "json", path: str = "requests"):
    """A form-encoded POST, as GeoReport v2 clients send it."""
    data = {k: v for k, v in fields.items() if v is not None}
    return client.post(
        f"{BASE}/{path}.{fmt}", urlencode(data), content_type="application/x-www-form-urlencoded"
    )


def request_form(raw_key: str, x: float = 100, y: float = 100, **overrides) -> dict:
    lon, lat = lonlat(x, y)
    fields = {
        "api_key": raw_key,
        "service_code": "MZ-001",
        "lat": f"{lat:.7f}",
        "long": f"{lon:.7f}",
        "address_string": "一社区 3 号楼 2 单元",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800001234",
        "email": "zhang.san@example.com",
        "device_id": "device-42",
        "account_id": "account-7",
        "description": "老人行动不便，希望上门办理高龄津贴。",
        "media_url": "https://img.example.com/p/1.jpg",
    }
    fields.update(overrides)
    return fields


# --- JSON and XML -------------------------------------------------------------------------


def as_json(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def xml_root(response, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def xml_list(response, root: str, item: str, status: int = 200) -> list[dict]:
    """`<root><item><field>text</field>…</item>…</root>` as a list of {field: text}."""
    element = xml_root(response, status)
    assert element.tag == root
    assert all(child.tag == item for child in element)
    return [{field.tag: field.text for field in child} for child in element]


def xml_text(value) -> str | None:
    """How a JSON value reads in the spec's XML."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def assert_same_in_xml(json_items: list[dict], xml_items: list[dict]) -> None:
    """The XML carries the very fields and values of the JSON (scalars only)."""
    assert len(json_items) == len(xml_items)
    for from_json, from_xml in zip(json_items, xml_items, strict=True):
        assert set(from_xml) == set(from_json)
        for field, value in from_json.items():
            if not isinstance(value, list | dict):
                assert from_xml[field] == xml_text(value), field


def error_of(response, status: int, fmt: str = "json") -> str:
    """The spec's error form (a list of one {code, description}); returns our error code, the
    description's first word."""
    if fmt == "xml":
        errors = xml_list(response, "errors", "error", status)
        errors = [{**e, "code": int(e["code"])} for e in errors]
    else:
        errors = as_json(response, status)
    assert isinstance(errors, list) and len(errors) == 1
    assert set(errors[0]) == ERROR_FIELDS
    assert errors[0]["code"] == status
    return errors[0]["description"].split(":", 1)[0]
