"""The coverage review page (/map/) and its small login form, in Chinese.

The page is a shell: Leaflet draws the vector tiles of /api/v1/tiles/ and asks
/api/v1/grids/{code}/panel/ when a grid is clicked. Everything it loads is served from this
project's static files (maps/static/maps/vendor/, copied from the npm registry by
scripts/vendor-frontend); a basemap is optional (MAP_BASEMAP_URL).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from accounts.forms import BrakedAuthenticationForm
from core.csp import csp_allow, origin_of_template
from geo import access
from people.scope import scope_for
from tiles.layers import DEFAULT_FIGURE, LAYERS

from .selectors import map_bounds, map_options

FIGURES = [
    {"key": "agents", "label": "在岗代办员（人）", "breaks": [1, 2, 3]},
    {"key": "open_work", "label": "在办事项（件）", "breaks": [1, 4, 8, 16]},
    {"key": "overdue", "label": "超期办件（件）", "breaks": [1, 2, 4]},
]


def basemap() -> dict | None:
    """An optional raster basemap, e.g. 天地图 vec_w (Web Mercator) with a browser key."""
    url = getattr(settings, "MAP_BASEMAP_URL", "")
    if not url:
        return None
    return {
        "url": url,
        "attribution": getattr(settings, "MAP_BASEMAP_ATTRIBUTION", ""),
        "subdomains": getattr(settings, "MAP_BASEMAP_SUBDOMAINS", "") or "abc",
    }


@login_required(login_url="maps:login")
def map_page(request):
    staff = scope_for(request.user).staff
    config = {
        "tilesUrl": reverse(
            "tiles:tile", kwargs={"layer": "LAYER", "z": "0", "x": "0", "y": "0"}
        ).replace("LAYER/0/0/0", "{layer}/{z}/{x}/{y}"),
        "panelUrl": reverse("maps_api:grid-panel", kwargs={"code": "CODE"}).replace(
            "CODE", "{code}"
        ),
        "bounds": map_bounds(request.user),
        "minZoom": {name: layer.min_zoom for name, layer in LAYERS.items()},
        "figures": FIGURES,
        "defaultFigure": DEFAULT_FIGURE,
        "layers": {"agents": map_options(request.user)["agents"]},
        "basemap": basemap(),
    }
    response = render(
        request,
        "maps/map.html",
        {
            "config": config,
            "who": staff.full_name if staff else request.user.get_username(),
            "may_upload_boundaries": access.policy().may_import_boundaries(request.user),
        },
    )
    if config["basemap"]:
        # the page's Content-Security-Policy lets the basemap's tile images in, nothing else
        origins = origin_of_template(config["basemap"]["url"], config["basemap"]["subdomains"])
        csp_allow(response, "img-src", *origins)
    return response


class MapLoginView(auth_views.LoginView):
    """The form checks the password through the shared brake (ADR 0024): a locked account or
    address is told so on the page, with 429."""

    template_name = "maps/login.html"
    form_class = BrakedAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("maps:map")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked:
            response.status_code = 429
        return response


class MapLogoutView(auth_views.LogoutView):
    next_page = "maps:login"
