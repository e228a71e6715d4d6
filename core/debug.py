"""Django's technical pages only for this machine.

Under DEBUG, Django answers a missing URL with the project's URL patterns and an error with a
traceback, local variables and settings. `make run` serves with DEBUG on; with `HOST=0.0.0.0`
anyone on the network could read them. This middleware keeps them for requests from a loopback
address (the developer's browser) and gives everyone else the pages production gives
(`handler404`, `handler500`). It does nothing when DEBUG is off.

Two of Django's own hooks, no patching: a missing URL and a view's `Http404` are answered here
before Django's debug 404 is made; for any other error the request's
`exception_reporter_class` (read by Django's debug 500) renders the ordinary 500 page instead of
the traceback. The client's address is REMOTE_ADDR, never a forwarded header.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.handlers.exception import get_exception_response
from django.http import Http404
from django.urls import Resolver404, get_resolver, get_urlconf, resolve
from django.views.debug import ExceptionReporter


def is_local_request(request) -> bool:
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _ordinary_response(request, status: int, exception):
    return get_exception_response(request, get_resolver(get_urlconf()), status, exception)


class OrdinaryErrorPageReporter(ExceptionReporter):
    """What Django's debug 500 shows a request from elsewhere: the ordinary 500 page."""

    def _page(self) -> str:
        handler = get_resolver(get_urlconf()).resolve_error_handler(500)
        return handler(self.request).content.decode()

    def get_traceback_html(self):
        return self._page()

    def get_traceback_text(self):
        return self._page()


class LocalDebugPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not is_local_request(request):
            request.exception_reporter_class = OrdinaryErrorPageReporter
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exc:
                # answered here, inside CommonMiddleware: a missing slash still redirects
                return _ordinary_response(request, 404, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404) and not is_local_request(request):
            return _ordinary_response(request, 404, exception)
        return None
