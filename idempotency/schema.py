"""OpenAPI: every write the idempotency middleware covers documents the `Idempotency-Key` header.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"], after the
default enum hook), so no view has to declare the header itself. Exempt views are left out.
"""

from __future__ import annotations

from .middleware import HEADER, METHODS, REPLAYED_HEADER, is_exempt
from .models import KEY_MAX_LENGTH

API_V1_PREFIX = "/api/v1/"
COMPONENT = "IdempotencyKey"
REFERENCE = {"$ref": f"#/components/parameters/{COMPONENT}"}

PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH},
    "description": (
        "A client-chosen key (printable ASCII; a UUID is best) that makes a retry safe: the "
        "same key with the same request returns the first response (with "
        f"`{REPLAYED_HEADER}: true`) without acting again; with a different request, 422 "
        "`idempotency_key_reused`; while the first is still running, 409 `request_in_progress` "
        "with `Retry-After`. Kept per user (anonymous: per client address), 24 hours by "
        "default; 5xx, 401 and 429 answers are not kept, so a retry acts again."
    ),
}


def _exempt_operations(generator) -> set[tuple[str, str]]:
    exempt = set()
    for path, _regex, method, callback in generator.endpoints or ():
        view_class = getattr(callback, "cls", None)
        if view_class is not None and is_exempt(view_class):
            exempt.add((generator.coerce_path(path, method, None), method.lower()))
    return exempt


def add_idempotency_key_header(result, generator, **kwargs):
    """One parameter component, referenced from each covered operation."""
    exempt = _exempt_operations(generator)
    used = False
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_V1_PREFIX):
            continue
        for method, operation in operations.items():
            if method.upper() not in METHODS or (path, method) in exempt:
                continue
            operation.setdefault("parameters", []).append(dict(REFERENCE))
            used = True
    if used:
        result.setdefault("components", {}).setdefault("parameters", {})[COMPONENT] = PARAMETER
    return result
