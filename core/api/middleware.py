"""Keeps HTML error pages and tracebacks away from API clients.

Anything that escapes a view under /api/ (or /healthz) is logged and answered with a JSON 500
in the one error shape, whatever DEBUG says; a lost database is a 503 with `Retry-After`.
Before any view: a path with NUL (`%00`), or a query string that is not UTF-8 or carries NUL
(`%00`, `%ED%A0%80`), is refused with 400 `invalid_characters` (bodies get the same check in
core/api/parsers.py), and bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with 413.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .errors import database_unavailable_response, error_response, is_database_lost
from .input import check_url

logger = logging.getLogger("core.api")

API_PREFIXES = ("/api/", "/healthz")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_path(request.path):
            refusal = self._refuse_unreadable_url(request) or self._refuse_large_body(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _refuse_unreadable_url(request):
        try:
            check_url(request)
        except ApplicationError as error:
            return error_response(error.code, error.message, error.status, error.details)
        return None

    @staticmethod
    def _refuse_large_body(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.content_type == "multipart/form-data":
            # photo uploads stream to disk and their views cap them (ATTACHMENTS, signatures)
            limit = settings.ATTACHMENTS["MAX_BYTES"] + 1024 * 1024
        if limit is not None and length > limit:
            return error_response(
                "payload_too_large",
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit},
                413,
                {"limit": limit, "size": length},
            )
        return None

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        if is_database_lost(exception):
            logger.warning(
                "database unavailable on %s %s: %s", request.method, request.path, exception
            )
            return database_unavailable_response()
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response("server_error", _("An unexpected error occurred."), 500)
