"""Open311 GeoReport v2 at /open311/v2/ (server/urls.py): each resource takes a format suffix,
`.json` or `.xml`; any other suffix, or any other path, answers 404 in the spec's error form."""

from django.urls import re_path

from . import views

FMT = r"\.(?P<fmt>[^./]+)$"

urlpatterns = [
    re_path(r"^services" + FMT, views.ServiceList.as_view(), name="open311-services"),
    re_path(
        r"^services/(?P<code>[^/]+)" + FMT,
        views.ServiceDefinition.as_view(),
        name="open311-service-definition",
    ),
    re_path(r"^requests" + FMT, views.RequestList.as_view(), name="open311-requests"),
    re_path(
        r"^requests/(?P<code>[^/]+)" + FMT, views.RequestDetail.as_view(), name="open311-request"
    ),
    re_path(r"", views.not_found, name="open311-not-found"),
]
