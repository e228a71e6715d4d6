"""Request IDs and the audit context of a request.

Every response carries `X-Request-ID`: the caller's own, when it is a sane token (so a proxy or
the app can correlate its logs with ours), else a fresh one. Audited writes made while the
request runs are recorded with that ID, the method, the path and the user (resolved at each
write: DRF authenticates tokens only inside the view). Place after AuthenticationMiddleware.
"""

from __future__ import annotations

import re
import uuid

from .context import request_context

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_MAX_PATH = 500


def request_id_for(request) -> str:
    """The caller's request ID if it looks sane (≤ 64 of [A-Za-z0-9._-]), else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        with request_context(
            request,
            request_id=request.request_id,
            method=request.method,
            path=request.path[:_MAX_PATH],
        ):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response
