"""The OpenAPI document declares, per operation, the error answers it may give (issue 16.5),
all in the one error shape; and the JSON parser's limits (issue 17.11) at their edges."""

from __future__ import annotations

import io
import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.api.parsers import MAX_DEPTH, JSONParser
from core.errors import ApplicationError

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _error_statuses(operation) -> set[str]:
    return {
        status
        for status, response in operation["responses"].items()
        if response.get("content", {}).get("application/json", {}).get("schema") == ERROR_REF
    }


def test_the_error_shape_is_one_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "details"]


def test_every_operation_declares_its_errors(schema):
    missing = {}
    for path, method, operation in _operations(schema):
        wanted = {"400", "401", "403", "404", "406", "429", "503"}
        if method in ("post", "put", "patch", "delete"):
            wanted |= {"409", "413", "415", "422"}
        if lacking := wanted - _error_statuses(operation):
            missing[f"{method.upper()} {path}"] = sorted(lacking)
    assert missing == {}


def test_operations_with_their_own_errors_declare_them(schema):
    case_edit = schema["paths"]["/api/v1/cases/{id}/"]["patch"]
    assert {"412", "428"} <= _error_statuses(case_edit)
    assert "410" in _error_statuses(schema["paths"]["/api/v1/sync/"]["get"])
    # success answers stay as the views declare them
    assert "201" in schema["paths"]["/api/v1/appointments/"]["post"]["responses"]


def _parse(raw: str):
    return JSONParser().parse(io.BytesIO(raw.encode()), "application/json", {})


def test_the_parser_takes_json_as_deep_as_the_limit():
    assert _parse("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(ApplicationError) as refused:
        _parse("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert refused.value.code == "malformed_request"


@pytest.mark.parametrize(
    "value",
    [{"a": "\u0000"}, {"\u0000": 1}, ["\ud800"], {"a": [{"b": "x\udfff"}]}],
)
def test_the_parser_refuses_nul_and_lone_surrogates(value):
    with pytest.raises(ApplicationError) as refused:
        _parse(json.dumps(value))
    assert refused.value.code == "invalid_characters"


def test_the_parser_keeps_ordinary_text():
    value = {"名称": "残疾人证办理 ✓ 😀", "n": [1, 2.5, None, True]}
    assert _parse(json.dumps(value)) == value
