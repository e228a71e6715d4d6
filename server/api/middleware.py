"""Keeps HTML error pages and tracebacks away from API clients.

Anything that escapes a view under /api/ (or /healthz) is logged and answered with a JSON 500
in the one error shape, whatever DEBUG says.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from .errors import error_response

logger = logging.getLogger("server.api")

API_PREFIXES = ("/api/", "/healthz")


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response("server_error", _("An unexpected error occurred."), 500)
