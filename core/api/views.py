"""Error views that keep the one error shape under /api/ (Django's defaults elsewhere)."""

import sys

from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from .errors import database_unavailable_response, error_response, is_database_lost
from .middleware import is_api_path


@csrf_exempt  # a write to a wrong /api/ URL is a JSON 404, not Django's CSRF page
def api_not_found(request, *args, **kwargs):
    return error_response("not_found", _("No such API endpoint."), 404)


def handler404(request, exception=None):
    if is_api_path(request.path):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def handler500(request):
    # called inside Django's `except` for errors raised outside a view (middleware, URL
    # resolution), which ApiErrorMiddleware.process_exception never sees
    if is_api_path(request.path) and is_database_lost(sys.exc_info()[1]):
        return database_unavailable_response()
    if is_api_path(request.path):
        return error_response("server_error", _("An unexpected error occurred."), 500)
    return defaults.server_error(request)
