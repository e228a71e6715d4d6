"""The OpenAPI schema documents Idempotency-Key on every covered write, and nowhere else."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator

from idempotency.schema import REFERENCE


def _has_key_header(operation) -> bool:
    return REFERENCE in operation.get("parameters", [])


def test_every_post_and_patch_under_api_v1_documents_the_header_but_login():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameter = schema["components"]["parameters"]["IdempotencyKey"]
    assert (parameter["in"], parameter["name"], parameter["required"]) == (
        "header",
        "Idempotency-Key",
        False,
    )
    paths = schema["paths"]
    assert _has_key_header(paths["/api/v1/appointments/"]["post"])
    assert _has_key_header(paths["/api/v1/cases/{id}/actions/{action}/"]["post"])
    assert _has_key_header(paths["/api/v1/cases/{id}/"]["patch"])
    assert not _has_key_header(paths["/api/v1/appointments/"]["get"])
    assert not _has_key_header(paths["/api/v1/auth/login/"]["post"])
    writes = [
        operation
        for path, operations in paths.items()
        for method, operation in operations.items()
        if method in ("post", "patch") and path != "/api/v1/auth/login/"
    ]
    assert writes and all(_has_key_header(op) for op in writes)
