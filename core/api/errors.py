"""Rendering of every API error in the one shape the mobile app switches on."""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _

# what a client is told to wait when the database is out of reach (a restart takes seconds)
DATABASE_RETRY_AFTER_SECONDS = 5


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "details": details or {}}}


def error_response(
    code: str, message: str, status: int, details: dict[str, Any] | None = None
) -> JsonResponse:
    return JsonResponse(
        error_body(code, message, details), status=status, json_dumps_params={"ensure_ascii": False}
    )


def is_database_lost(exc: BaseException | None) -> bool:
    """The database went away (refused, restarted, connection dropped): a 503 to retry, not a bug.

    Django wraps the driver's errors; OperationalError also covers a few query-level failures
    (a cancelled statement, a deadlock), and those are retried by the client just as well.
    """
    return isinstance(exc, (OperationalError, InterfaceError))


def database_unavailable_response() -> JsonResponse:
    response = error_response(
        "database_unavailable",
        _("The service is briefly unavailable; please try again in a few seconds."),
        503,
        {"retry_after": DATABASE_RETRY_AFTER_SECONDS},
    )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
