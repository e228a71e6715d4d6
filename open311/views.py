"""Open311 GeoReport v2 over HTTP, at /open311/v2/ (outside /api/: the spec has its own URLs,
formats and error form). Views parse, call one selector or service, and render the result as
JSON or XML by the path's suffix.

Reads are public and throttled per client address; `POST requests` needs an API key and is
throttled per key. Left out of the OpenAPI schema: the GeoReport v2 spec is this contract
(docs/open311.md).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, permissions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView, set_rollback

from core.api.input import check_url
from core.api.parsers import FormParser, MultiPartParser
from core.api.throttles import AnonRateThrottle, SimpleRateThrottle
from core.errors import ApplicationError, NotFound

from . import keys, selectors, services
from .render import FORMATS, render, render_error

# the GeoReport v2 POST fields we read (jurisdiction_id and attribute[] are not used here)
POST_FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
)


class FormatFromPath(DefaultContentNegotiation):
    """The format is the path's suffix (.json or .xml), never the Accept header."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class HasApiKey(permissions.BasePermission):
    """An active Open311 key in `api_key` (the form field, or the query string)."""

    def has_permission(self, request, view):
        raw = request.data.get("api_key") or request.query_params.get("api_key")
        request.open311_key = keys.api_key_check(raw)
        return True


class ApiKeyThrottle(SimpleRateThrottle):
    """New requests per API key (rate `open311_post` in DEFAULT_THROTTLE_RATES)."""

    scope = "open311_post"

    def get_cache_key(self, request, view):
        key = getattr(request, "open311_key", None)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.pk}


class ReadThrottle(AnonRateThrottle):
    """Public reads per client address (rate `open311_read`)."""

    scope = "open311_read"


def _refuse_large_body(request) -> None:
    """DRF's form parser reads the whole body, past DATA_UPLOAD_MAX_MEMORY_SIZE: refuse by the
    declared length first (as core.api.middleware does under /api/)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        raise ApplicationError(
            "payload_too_large",
            _("The request body is larger than %(limit)d bytes.") % {"limit": limit},
            status=413,
        )


class Open311View(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [FormParser, MultiPartParser]
    content_negotiation_class = FormatFromPath
    schema = None  # not in the OpenAPI document: the GeoReport v2 spec describes it

    def get_throttles(self):
        return [ReadThrottle()]

    def initial(self, request, *args, **kwargs):
        if kwargs.get("fmt") not in FORMATS:
            raise NotFound(
                "unknown_format",
                _("Unknown format %(fmt)r: use .json or .xml.") % {"fmt": kwargs.get("fmt")},
            )
        _refuse_large_body(request)
        check_url(request)
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        fmt = self.kwargs.get("fmt", "json")
        if isinstance(exc, Http404):
            exc = NotFound("not_found", _("Not found."))
        if isinstance(exc, ApplicationError):
            set_rollback()
            return render_error(fmt, exc.status, exc.code, exc.message)
        if isinstance(exc, exceptions.APIException):
            set_rollback()
            headers = {"Retry-After": str(int(exc.wait))} if getattr(exc, "wait", None) else None
            detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
            return render_error(fmt, exc.status_code, exc.default_code, detail, headers=headers)
        return super().handle_exception(exc)


class ServiceList(Open311View):
    def get(self, request, fmt):
        """GET services: every active service item."""
        return render(selectors.services_list(), fmt, root="services")


class ServiceDefinition(Open311View):
    def get(self, request, fmt, code):
        """GET service definition: the attributes of one service (we ask for none)."""
        return render(selectors.service_definition(code), fmt, root="service_definition")


class RequestList(Open311View):
    def get_permissions(self):
        if self.request.method == "POST":
            return [HasApiKey()]
        return super().get_permissions()

    def get_throttles(self):
        if self.request.method == "POST":
            return [ApiKeyThrottle()]
        return super().get_throttles()

    def get(self, request, fmt):
        """GET service requests: appointments and cases, filtered as the spec says."""
        seconds = settings.OPEN311_LIST_CACHE_SECONDS
        if not seconds:
            query = selectors.request_query(request.query_params)
            return render(selectors.requests_search(query), fmt, root="service_requests")
        # the same public list for everyone who asks the same question: rendered once per
        # OPEN311_LIST_CACHE_SECONDS for every web node (ADR 0036); an invalid query raises
        # before anything is stored
        params = sorted(
            (k, v) for k in request.query_params for v in request.query_params.getlist(k)
        )
        key = "open311:list:" + hashlib.sha256(repr((fmt, params)).encode()).hexdigest()
        cached = cache.get(key)
        if cached is None:
            query = selectors.request_query(request.query_params)
            response = render(selectors.requests_search(query), fmt, root="service_requests")
            cache.set(key, (response.content, response["Content-Type"]), seconds)
            return response
        content, content_type = cached
        return HttpResponse(content, content_type=content_type)

    def post(self, request, fmt):
        """POST service request: a new appointment, routed like any other."""
        fields = {name: request.data.get(name, "") for name in POST_FIELDS}
        appointment = services.request_submit(api_key=request.open311_key, fields=fields)
        created = {
            "service_request_id": appointment.tracking_code,
            "service_notice": selectors.submitted_notice(appointment),
            "account_id": None,
        }
        # 200, not 201: the spec names no status, and clients written against it expect 200
        return render([created], fmt, root="service_requests")


class RequestDetail(Open311View):
    def get(self, request, fmt, code):
        """GET service request: one appointment or case by its tracking code (a list of one)."""
        return render([selectors.request_get(code)], fmt, root="service_requests")


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Anything else under /open311/v2/: the spec's error form, as JSON."""
    return render_error("json", 404, "not_found", _("No such Open311 resource."))
