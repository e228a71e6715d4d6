"""URL map: API under /api/v1/, its schema and docs, Open311 GeoReport v2, health, admin, and the
residents' pages at the root.

Every app's URLs are included under the app's namespace (its urls module sets `app_name`), so a
route is reversed as `"<app>:<name>"` (`reverse("attachments:attachment-file", …)`). An app whose
routes all share a prefix is included at that prefix; the others are included at /api/v1/ itself.
The public paths these produce are pinned by tests/server/public_paths.json.
"""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from core.api import views as api_views
from fieldapp.views import desk_entry
from people.api.views import public_board_page
from server.health import healthz

api_v1 = [
    # first: a map asks for tiles dozens at a time, and each pattern tried costs (issue 20)
    path("tiles/", include("tiles.urls")),
    path("auth/", include("accounts.urls")),
    path("", include("geo.urls")),
    path("", include("people.urls")),
    path("", include("catalogue.urls")),
    path("appointments/", include("appointments.urls")),
    path("", include("cases.urls")),
    path("visits/", include("visits.urls")),
    path("sync/", include("sync.urls")),
    path("", include("feedback.urls")),
    path("", include("attachments.urls")),
    path("me/notifications/", include("notifications.urls")),
    path("calendar/", include("workdays.urls")),
    path("", include("mobile_api.urls")),
    path("audit/", include("audit.urls")),
    path("", include("supervision.urls")),
    path("", include("maps.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include("open311.urls")),
    re_path(r"^api/", api_views.api_not_found),
    path("board/<str:code>/", public_board_page, name="public-board-page"),
    path("map/", include("maps.urls")),
    path("app/", include("fieldapp.urls")),
    path("desk/", desk_entry, name="desk"),
    path("admin/", admin.site.urls),
    # the residents' pages at the root, last: every other prefix above wins
    path("", include("portal.urls")),
]

handler404 = "core.api.views.handler404"
handler500 = "core.api.views.handler500"
