"""Open311 GeoReport v2 at /open311/v2/ (server/urls.py): each resource takes a format suffix,
`.json` or `.xml`; any other suffix, or any other path, answers 404 in the spec's error form.
Names in namespace `open311`."""

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>[^./]+)$"

urlpatterns = [
    re_path(r"^services" + FMT, views.ServiceList.as_view(), name="services"),
    re_path(
        r"^services/(?P<code>[^/]+)" + FMT,
        views.ServiceDefinition.as_view(),
        name="service-definition",
    ),
    re_path(r"^requests" + FMT, views.RequestList.as_view(), name="requests"),
    re_path(r"^requests/(?P<code>[^/]+)" + FMT, views.RequestDetail.as_view(), name="request"),
    re_path(r"", views.not_found, name="not-found"),
]
