"""OpenAPI: the error answers every operation may give, in the one error shape.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds to
each operation under /api/v1/ the refusals the shared toolkit can give it, so that no view has
to list them and a client (or schemathesis' status-code conformance check) can rely on the
document:

- every operation: 400 (invalid input, query parameters, characters), 401 (a bad token, even
  on a public operation), 403, 404, 406, 429 (throttles), 503 (database briefly lost);
- writes (POST, PUT, PATCH, DELETE): also 409 (state conflicts, a request in progress),
  413 (body too large), 415 (media type), 422 (an `Idempotency-Key` reused);
- operations with an `If-Match` header: also 412 and 428.

An operation with a status of its own (sync's 410) declares it with `error_response(...)`;
a view's own description of a status is kept (its body is given the error shape if it has
none).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

API_V1_PREFIX = "/api/v1/"
COMPONENT = "Error"
WRITES = frozenset({"post", "put", "patch", "delete"})

ERROR_SCHEMA = {
    "type": "object",
    "description": 'Every refusal: `{"error": {"code", "message", "details"}}`. Clients switch '
    "on `code`; `message` is for people (zh-hans by default, English with "
    "`Accept-Language: en`).",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "example": "invalid_parameter"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": {}},
            },
        }
    },
}

DESCRIPTIONS = {
    "400": "Bad request: invalid fields (`invalid_input`, with `details.codes`), an unknown "
    "query parameter value (`invalid_parameter`), NUL or invalid Unicode "
    "(`invalid_characters`), a malformed or too deeply nested body (`malformed_request`), or "
    "a rule of the operation.",
    "401": "Not signed in, or the token is unknown or revoked.",
    "403": "Signed in, but this role may not do this.",
    "404": "Missing, or outside what the requester may see (the two look the same).",
    "406": "The Accept header asks for a type this operation cannot give.",
    "409": "The current state forbids it, or the same Idempotency-Key is still running.",
    "410": "Gone: start again from the beginning.",
    "412": "If-Match does not match the current version (`stale_version`).",
    "413": "The body is too large (`payload_too_large`).",
    "415": "The body's media type is not accepted (`unsupported_media_type`).",
    "422": "The Idempotency-Key was used for another request (`idempotency_key_reused`).",
    "428": "If-Match is required (`if_match_required`).",
    "429": "Too many requests (`throttled`), with Retry-After.",
    "503": "The database is briefly unavailable (`database_unavailable`), with Retry-After.",
}
EVERY_OPERATION = ("400", "401", "403", "404", "406", "429", "503")
WRITE_OPERATION = ("409", "413", "415", "422")
CONDITIONAL_OPERATION = ("412", "428")

REFERENCE = {"$ref": f"#/components/schemas/{COMPONENT}"}


def error_response(status: int) -> OpenApiResponse:
    """For a view's own `responses={410: error_response(410)}`: the shared error body."""
    return OpenApiResponse(response=dict(REFERENCE), description=DESCRIPTIONS[str(status)])


def _has_if_match(operation) -> bool:
    return any(
        p.get("in") == "header" and p.get("name", "").lower() == "if-match"
        for p in operation.get("parameters", [])
    )


def add_error_responses(result, generator, **kwargs):
    """Each applicable error status referencing the one `Error` schema component."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_V1_PREFIX):
            continue
        for method, operation in operations.items():
            statuses = list(EVERY_OPERATION)
            if method in WRITES:
                statuses += WRITE_OPERATION
            if _has_if_match(operation):
                statuses += CONDITIONAL_OPERATION
            responses = operation.setdefault("responses", {})
            for status in statuses:
                response = responses.setdefault(status, {"description": DESCRIPTIONS[status]})
                # a view's own description stays; the body is the one error shape
                response.setdefault("content", {"application/json": {"schema": dict(REFERENCE)}})
    result.setdefault("components", {}).setdefault("schemas", {})[COMPONENT] = ERROR_SCHEMA
    return result
