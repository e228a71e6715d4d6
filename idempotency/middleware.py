"""`Idempotency-Key` on the API's writes: a retried request is answered, not acted on again.

Agents work on phones with patchy signal and the app retries anything, so a booking or a case
action may arrive twice. A POST or PATCH under /api/ that carries `Idempotency-Key` (≤ 255
printable ASCII characters; the quoted form of the IETF draft, `"…"`, is accepted too) is run
at most once per requester and key while its record lives (IDEMPOTENCY["TTL_HOURS"], 24 h):

- first time: the record is written `in_progress` and committed at once (INSERT … ON CONFLICT,
  autocommit), then the view runs and its response is kept;
- the same key and the same request again: the kept status, body and Content-Type / Location /
  ETag come back with `Idempotent-Replayed: true`, and the view does not run;
- the same key with another method, path, query, media type or body: 422
  `idempotency_key_reused` (a client bug: a new request needs a new key);
- the same key while the first request still runs: 409 `request_in_progress` with
  `Retry-After` (IDEMPOTENCY["RETRY_AFTER_SECONDS"]);
- a malformed key: 400 `invalid_idempotency_key`. Without the header nothing changes.

What is kept. Every answer below 500 except 401 and 429, 4xx included: the same bad request
gets the same answer, and a write that was refused has done nothing a retry could double.
401 (not signed in) and 429 (throttled) say "not now", and a 5xx or an exception says nothing
about what happened, so the record is deleted and a retry runs the request again — for a 5xx
this trusts the view's transaction to have rolled back, which is what the services' atomic
blocks give. Streaming or file responses and bodies over IDEMPOTENCY["MAX_BODY_BYTES"] are not
kept either (no POST or PATCH of this API answers with one): the record is deleted and a retry
acts again.

Who the requester is. Records are scoped per user ("user:<id>"), so two users may use the same
key; an anonymous request is scoped by its client address as the throttles see it
(REST_FRAMEWORK["NUM_PROXIES"]): "ip:<address>" + key. An anonymous retry from another network
therefore acts again (the booking's own `client_uuid` still guards that case).

Why middleware with `process_view`. DRF authenticates token requests inside the view, so a
plain middleware sees an anonymous user. Here `process_view` knows which view will run: for a
DRF view (`view_func.cls`, every view under /api/v1/ is one — tests/idempotency checks it) it
builds the very `Request` the view would build (`initialize_request`: the view's own
authenticators and parsers, CSRF for sessions included) and reads its user. Authentication
runs twice per keyed write (one indexed token look-up); in exchange no view has to opt in and
none can forget to. When authentication fails here the request passes through untouched and
the view gives its own 401/403. Non-DRF views (the /api/ 404 catch-all) are passed through,
and so are the views in IDEMPOTENCY["EXEMPT_VIEWS"] (login: its answer is a raw token).

Order: after AuthenticationMiddleware and audit's RequestContextMiddleware (replays carry the
new X-Request-ID), before ApiErrorMiddleware, whose 413 for oversized bodies comes first and
whose JSON 500 this middleware sees as a 5xx.

A worker killed mid-request (issue 21, tested in tests/cluster/ with `kill -9` of a web node):
the view runs in one transaction with the keeping of its response, so either both committed (the
retry replays) or neither did (nothing was done). The claim holds a session-level advisory lock
(services.py), which PostgreSQL frees when the dead worker's connection goes: the retry of the
same request takes the claim over at once instead of answering 409 until
IDEMPOTENCY["STALE_AFTER_SECONDS"] have passed (still the fallback).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.throttling import BaseThrottle

from core.api.errors import error_response

from . import services
from .models import KEY_MAX_LENGTH, State

logger = logging.getLogger("idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PATCH"})
API_PREFIX = "/api/"
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Cache-Control")  # no-store replays no-store
# answers that mean "not now" rather than "this is what your request did"
UNKEPT_STATUSES = frozenset({401, 429})
_CLAIM_ATTEMPTS = 3
_AUTH_ATTRIBUTES = ("user", "auth")
# an RFC 8941 sf-string: printable ASCII in double quotes, a quote or backslash inside escaped
_SF_STRING = re.compile(r'"((?:[ !#-\[\]-~]|\\["\\])*)"')


def parse_key(value: str) -> str | None:
    """The key, or None when malformed: 1–255 printable ASCII characters. A value that starts
    with `"` must be a whole RFC 8941 string (the IETF draft's form) and is unquoted."""
    if value.startswith('"'):
        match = _SF_STRING.fullmatch(value)
        if match is None:
            return None
        value = re.sub(r"\\(.)", r"\1", match.group(1))
    if not 1 <= len(value) <= KEY_MAX_LENGTH:
        return None
    if not all(" " <= char <= "~" for char in value):
        return None
    return value


def _fields(encoded: str) -> list[tuple[str, str]]:
    # latin-1 maps every byte to one character: no two different inputs decode alike
    return parse_qsl(encoded, keep_blank_values=True, encoding="latin-1")


def _canonical_body(request) -> tuple[str, bytes]:
    """(media type, body bytes) that two retries of one request share however they were
    serialised: JSON with sorted keys and no spaces, forms with sorted fields, multipart with
    its random boundary replaced."""
    media_type = (request.content_type or "").lower()
    body = request.body
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            parsed = json.loads(body.decode("utf-8"))
            canonical = json.dumps(
                parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
        except (UnicodeDecodeError, ValueError, RecursionError):
            # not JSON the view would take (too deep, for one): its parser refuses it
            return media_type, body
        # a lone surrogate (`"\ud800"`) survives json.loads; the view's parser refuses it
        return media_type, canonical.encode("utf-8", "surrogatepass")
    if media_type == "application/x-www-form-urlencoded":
        fields = sorted(_fields(body.decode("latin-1")))
        return media_type, repr(fields).encode("utf-8")
    if media_type.startswith("multipart/"):
        boundary = request.content_params.get("boundary", "")
        if boundary:
            return media_type, body.replace(boundary.encode("latin-1"), b"<boundary>")
    return media_type, body


def request_fingerprint(request) -> str:
    """SHA-256 of method, path with sorted query, media type and canonical body."""
    media_type, body = _canonical_body(request)
    query = sorted(_fields(request.META.get("QUERY_STRING", "")))
    digest = hashlib.sha256()
    for part in (request.method, request.path, repr(query), media_type):
        digest.update(part.encode("utf-8") + b"\n")
    digest.update(body)
    return digest.hexdigest()


def is_exempt(view_class) -> bool:
    """Views listed in IDEMPOTENCY["EXEMPT_VIEWS"] (dotted paths) never keep an answer."""
    name = f"{view_class.__module__}.{view_class.__qualname__}"
    return name in settings.IDEMPOTENCY["EXEMPT_VIEWS"]


def requester_scope(request, view_class, view_func, view_args, view_kwargs) -> str | None:
    """The requester as the view will see it, "user:<id>" or "ip:<address>"; None when
    authentication fails (the view answers that itself)."""
    view = view_class(**getattr(view_func, "initkwargs", {}))
    view.setup(request, *view_args, **view_kwargs)
    drf_request = view.initialize_request(request, *view_args, **view_kwargs)
    # DRF writes the outcome onto the Django request (`user`, `auth`); put back what was there,
    # or a failed look-up would leave an AnonymousUser behind and the view's own session
    # authentication would take the request for anonymous instead of refusing it
    saved = {name: getattr(request, name) for name in _AUTH_ATTRIBUTES if hasattr(request, name)}
    try:
        user = drf_request.user
    except APIException:
        return None
    finally:
        for name in _AUTH_ATTRIBUTES:
            if name in saved:
                setattr(request, name, saved[name])
            elif hasattr(request, name):
                delattr(request, name)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{BaseThrottle().get_ident(request)}"[:100]


def _replay(existing: services.Existing) -> HttpResponse:
    response = HttpResponse(existing.body or b"", status=existing.status)
    if "Content-Type" not in existing.headers:
        del response["Content-Type"]
    for name, value in existing.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _in_progress() -> HttpResponse:
    response = error_response(
        "request_in_progress",
        _("A request with this Idempotency-Key is still being processed; retry shortly."),
        409,
    )
    response["Retry-After"] = str(settings.IDEMPOTENCY["RETRY_AFTER_SECONDS"])
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except BaseException:
            if (claim := getattr(request, "idempotency_claim", None)) is not None:
                self._end(request, rollback=True)
                services.record_release(claim=claim)
            raise
        if (claim := getattr(request, "idempotency_claim", None)) is not None:
            try:
                if response.status_code >= 500:
                    # nothing of a failed request is kept: a retry acts again
                    transaction.set_rollback(True)
                if not self._keep(claim, request, response):
                    transaction.set_rollback(True)  # taken over meanwhile: the other one acts
                    response = _in_progress()
            finally:
                self._end(request)
            if response.status_code >= 500 or response.status_code in UNKEPT_STATUSES:
                services.record_release(claim=claim)
        return response

    @staticmethod
    def _begin(request) -> None:
        """The view's writes and the kept response commit together (ADR 0011, amended by issue
        21): a worker killed before the commit leaves nothing done — its claim, freed with its
        database session, is taken over by the retry at once — and one killed after it leaves
        the response for the retry to replay."""
        request.idempotency_atomic = transaction.atomic()
        request.idempotency_atomic.__enter__()

    @staticmethod
    def _end(request, rollback: bool = False) -> None:
        atomic = getattr(request, "idempotency_atomic", None)
        if atomic is None:
            return
        request.idempotency_atomic = None
        if rollback:
            transaction.set_rollback(True)
        atomic.__exit__(None, None, None)

    def process_view(self, request, view_func, view_args, view_kwargs):
        header = request.headers.get(HEADER)
        if header is None or request.method not in METHODS:
            return None
        if not request.path.startswith(API_PREFIX):
            return None
        view_class = getattr(view_func, "cls", None)  # set by APIView.as_view
        if view_class is None or is_exempt(view_class):
            return None
        key = parse_key(header)
        if key is None:
            return error_response(
                "invalid_idempotency_key",
                _("Idempotency-Key must be 1 to %(max)d printable ASCII characters.")
                % {"max": KEY_MAX_LENGTH},
                400,
            )
        try:
            fingerprint = request_fingerprint(request)  # reads the body before anyone parses it
        except RequestDataTooBig:
            return None  # ApiErrorMiddleware refuses it
        scope = requester_scope(request, view_class, view_func, view_args, view_kwargs)
        if scope is None:
            return None
        for _attempt in range(_CLAIM_ATTEMPTS):
            outcome = services.record_claim(
                scope=scope,
                key=key,
                method=request.method,
                path=request.path,
                fingerprint=fingerprint,
            )
            if outcome is not None:
                break
        else:
            return _in_progress()  # claimed and released over and over: let the client wait
        if isinstance(outcome, services.Claim):
            request.idempotency_claim = outcome
            self._begin(request)
            return None
        if outcome.fingerprint != fingerprint:
            return error_response(
                "idempotency_key_reused",
                _("This Idempotency-Key was used for a different request."),
                422,
            )
        if outcome.state == State.IN_PROGRESS:
            return _in_progress()
        return _replay(outcome)

    @staticmethod
    def _keep(claim: services.Claim, request, response) -> bool:
        """Inside the request's transaction. False: the claim was lost (taken over)."""
        status = response.status_code
        if status >= 500 or status in UNKEPT_STATUSES:
            return True  # released after the transaction (a 5xx rolls it back)
        if response.streaming:
            logger.warning("Not kept for replay (streaming): %s %s", request.method, request.path)
            services.record_release(claim=claim)
            return True
        body = response.content
        if len(body) > settings.IDEMPOTENCY["MAX_BODY_BYTES"]:
            logger.warning(
                "Not kept for replay (%d bytes): %s %s", len(body), request.method, request.path
            )
            services.record_release(claim=claim)
            return True
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        if not services.record_finish(claim=claim, status=status, headers=headers, body=body):
            logger.warning("Idempotency claim lost before the response: %s", request.path)
            return False
        return True
