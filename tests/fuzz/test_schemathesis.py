"""Fuzzing the API from its own OpenAPI document (/api/schema/) with schemathesis, in process.

Two runs over the same schema: the public operations (those whose security allows no
credentials, and the login) without credentials, and what a grid agent's phone uses (under
/api/v1/: appointments, cases, visits, me/*, sync, catalogue, areas and grids, locate) with
agent1's device token. Every generated request — valid and invalid (schemathesis' positive and
negative modes, its coverage cases and the schema's examples) — must get:

- no 5xx;
- a 2xx body and content type as documented for that status;
- any 4xx in the one error shape `{"error": {"code", "message", "details"}}`;

- a status code the operation documents (its success statuses, and the error answers added to
  every operation by core/api/schema.py).

Left out: the PDF renders (receipt.pdf, notice.pdf: about a second each), the photo uploads
(multipart files), and the logout and token revocation operations, which would sign the
fuzzer's own device out.

Repeatable and bounded: a fixed seed, derandomized generation, no example database, no
shrinking, a few examples per operation.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

SEED = 20261008
PUBLIC_EXAMPLES = 20
AGENT_EXAMPLES = 12

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"deterministic": True, "database": "none", "no-shrink": True},
        # one pytest item per operation: stateful sequences are out of scope here
        "phases": {"stateful": {"enabled": False}},
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)

# slow for no reason (a PDF render each) or not generable (file uploads)
SKIPPED_PATHS = r"(receipt\.pdf|notice\.pdf|/attachments/)$"


def _is_public(ctx) -> bool:
    """Under /api/v1/, and its security allows no credentials."""
    security = ctx.operation.definition.raw.get("security")
    return ctx.operation.path.startswith("/api/v1/") and security is not None and {} in security


public_schema = schema.include(_is_public).exclude(path_regex=SKIPPED_PATHS)

AGENT_PATHS = (
    r"^/api/v1/("
    r"appointments/|cases/|visits/|me/|sync/|locate/"
    r"|areas/|grids/(\{code\}/)?$|grids/\{code\}/(assignments|history)/$|service-items/"
    r")"
)
agent_schema = (
    schema.include(path_regex=AGENT_PATHS, method=["GET", "POST", "PATCH"])
    .exclude(path_regex=SKIPPED_PATHS)
    # agents only read the catalogue and the grids: their writes are the centre's
    .exclude(path_regex=r"^/api/v1/(service-items|grids)/", method=["POST", "PATCH"])
)

# --- steering part of the generated data to things that exist --------------------------------

# filled from the fuzz_world fixture before each test; read when hypothesis draws
KNOWN: dict[str, list] = {}

# (first path segment under /api/v1/, path parameter) → KNOWN key
PATH_KNOWN = {
    ("appointments", "id"): "appointment",
    ("cases", "id"): "case",
    ("visits", "id"): "visit",
    ("me", "id"): "notification",
    ("staff", "staff_id"): "staff",
    ("areas", "code"): "area",
    ("grids", "code"): "grid",
    ("service-items", "code"): "service_item",
    ("track", "code"): "tracking_code",
    ("complaints", "tracking_code"): "complaint_code",
    ("board", "code"): "station",
    ("public", "code"): "station",
}
QUERY_KNOWN = {"phone": "phone"}
# body field → KNOWN key, by the generated value's type
BODY_KNOWN = {
    ("appointment", int): "appointment",
    ("case", int): "case",
    ("case", str): "tracking_code",
    ("staff", int): "staff",
    ("to", int): "staff",
    ("station", str): "station",
    ("service_item", str): "service_item",
}


def _sometimes_known(value: Any, key: str | None) -> st.SearchStrategy:
    """The generated value, or one of the known ones."""
    known = KNOWN.get(key or "", [])
    if not known:
        return st.just(value)
    return st.sampled_from([value, *known])


def _segment(context) -> str:
    return context.operation.path.split("/")[3]


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict) or not path_parameters:
        return st.just(path_parameters)
    segment = _segment(context)
    return st.fixed_dictionaries(
        {
            name: _sometimes_known(value, PATH_KNOWN.get((segment, name)))
            for name, value in path_parameters.items()
        }
    )


@schema.hook
def flatmap_query(context, query):
    if not isinstance(query, dict) or not query:
        return st.just(query)
    return st.fixed_dictionaries(
        {name: _sometimes_known(value, QUERY_KNOWN.get(name)) for name, value in query.items()}
    )


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict) or not body:
        return st.just(body)
    fields = {}
    for name, value in body.items():
        key = BODY_KNOWN.get((name, type(value)))
        if name == "location" and KNOWN.get("lonlat"):
            points = [{"type": "Point", "coordinates": c} for c in KNOWN["lonlat"]]
            fields[name] = st.sampled_from([value, *points])
        else:
            fields[name] = _sometimes_known(value, key)
    return st.fixed_dictionaries(fields)


# --- checks ----------------------------------------------------------------------------------


def error_shape(ctx, response, case) -> bool | None:
    """Every refusal is JSON `{"error": {"code": str, "message": str, "details": object}}`."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), (
        f"{response.status_code} answered with content type {content_type!r}"
    )
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} without an `error` object: {body!r}"
    assert isinstance(error.get("code"), str) and error["code"], f"no error code: {body!r}"
    assert isinstance(error.get("message"), str), f"no error message: {body!r}"
    assert isinstance(error.get("details"), dict), f"details is not an object: {body!r}"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_shape,
]

SUPPRESSED = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
]
# Phase.explicit carries schemathesis' examples and coverage phases (boundary values, wrong
# types, missing fields: a few dozen to a few hundred requests per operation, whatever
# max_examples says). The public operations get them; the agent's many operations get the
# random phase only, or the module would take minutes.
PUBLIC_SETTINGS = settings(
    max_examples=PUBLIC_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=SUPPRESSED,
)
AGENT_SETTINGS = settings(PUBLIC_SETTINGS, max_examples=AGENT_EXAMPLES, phases=[Phase.generate])


@pytest.fixture(autouse=True)
def _known(fuzz_world):
    KNOWN.clear()
    KNOWN.update(fuzz_world["known"])
    yield
    KNOWN.clear()


_requests = itertools.count()


def _call(case, headers=None):
    # throttles and the failed-login brake count in the cache: every request starts afresh
    cache.clear()
    # A repeated Idempotency-Key with another body is refused (422) before the view: keys are
    # made unique, or most generated bodies would never reach it. Malformed keys stay malformed.
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str):
        case.headers["Idempotency-Key"] = f"{key}-{next(_requests)}"
    case.call_and_validate(headers=headers, checks=CHECKS)


@public_schema.parametrize()
@PUBLIC_SETTINGS
def test_public_endpoints(case):
    _call(case)


@agent_schema.parametrize()
@AGENT_SETTINGS
def test_agent_endpoints(case, fuzz_world):
    _call(case, headers=fuzz_world["agent_headers"])
