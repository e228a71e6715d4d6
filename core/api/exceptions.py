"""DRF exception handler: every failure inside an API view becomes the one error shape.

Validation errors keep DRF's field → messages mapping under `details.fields`, and the same
mapping to each broken rule's code (`max_length`, `max_value`, `not_a_number`, …) under
`details.codes`, which a client can switch on.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import ApplicationError

from .errors import error_body

# DRF's default codes renamed where the app benefits from a clearer one.
_CODE_BY_EXCEPTION = {
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def _flatten(detail) -> object:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(value) for value in detail]
    return str(detail)


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        set_rollback()
        headers = {}
        if exc.status == 429 and isinstance(exc.details.get("retry_after"), int):
            headers["Retry-After"] = str(exc.details["retry_after"])  # the brake's locks
        return Response(
            error_body(exc.code, exc.message, exc.details), status=exc.status, headers=headers
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # unexpected: ApiErrorMiddleware answers 500 in the same shape

    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            "invalid_input",
            _("The request has invalid fields."),
            {"fields": _flatten(exc.detail), "codes": _flatten(exc.get_codes())},
        )
        return Response(body, status=status.HTTP_400_BAD_REQUEST, headers=headers)

    code = next(
        (code for cls, code in _CODE_BY_EXCEPTION.items() if isinstance(exc, cls)),
        exc.default_code,
    )
    detail = exc.detail
    message = detail if isinstance(detail, str) else _flatten(detail)
    details = {} if isinstance(detail, str) else {"detail": message}
    return Response(
        error_body(code, str(message), details), status=exc.status_code, headers=headers
    )
