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
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse

from accounts.forms import BrakedAuthenticationForm
from core.csp import csp_allow, origin_of_template
from geo import access
from people.scope import scope_for
from tiles.layers import DEFAULT_FIGURE, LAYERS

from .selectors import area_bounds, map_bounds, map_options

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


PLACEHOLDER = {"assignment_id": "assignment", "pk": "id"}


def _template(name: str, **kwargs) -> str:
    """A URL pattern's path with {placeholders} for the page's scripts to fill: each keyword
    names a placeholder and a sample value the pattern accepts."""
    url = reverse(name, kwargs=kwargs)
    for key, sample in kwargs.items():
        url = url.replace(f"/{sample}/", "/{" + PLACEHOLDER.get(key, key) + "}/", 1)
    return url


def console_config(request, scope) -> dict | None:
    """What the zone console (edit mode) needs, for those who may change grids somewhere;
    None for everybody else (the page shows no edit button). The server decides every edit."""
    if not scope.editor:
        return None
    staff = scope.staff
    return {
        "everything": scope.everything,
        "centre": staff.centre.area.code
        if staff and staff.centre and not scope.everything
        else None,
        "csrfToken": get_token(request),
        "urls": {
            "areas": reverse("geo:area-list"),
            "grids": reverse("geo:grid-list"),
            "grid": _template("geo:grid-detail", code="CODE"),
            "split": _template("geo:grid-split", code="CODE"),
            "retire": _template("geo:grid-retire", code="CODE"),
            "splitPreview": _template("geo:grid-split-preview", code="CODE"),
            "merge": reverse("geo:grid-merge"),
            "proposals": reverse("geo:proposal-list"),
            "proposalApply": _template("geo:proposal-apply", pk=987654321),
            "proposalReject": _template("geo:proposal-reject", pk=987654321),
            "coverage": reverse("people:coverage"),
            "assignments": _template("people:grid-assignments", code="CODE"),
            "assignmentEnd": _template(
                "people:assignment-end", code="CODE", assignment_id=987654321
            ),
            "staffing": _template("maps_api:grid-staffing", code="CODE"),
            "stationAgents": _template("maps_api:station-agents", code="CODE"),
        },
        # the boundary-file upload page (district staff), when it exists
        "boundariesUrl": None,
    }


@login_required(login_url="maps:login")
def map_page(request):
    scope = scope_for(request.user)
    staff = scope.staff
    areas = area_bounds(request.user)
    config = {
        "tilesUrl": reverse(
            "tiles:tile", kwargs={"layer": "LAYER", "z": "0", "x": "0", "y": "0"}
        ).replace("LAYER/0/0/0", "{layer}/{z}/{x}/{y}"),
        "panelUrl": reverse("maps_api:grid-panel", kwargs={"code": "CODE"}).replace(
            "CODE", "{code}"
        ),
        "bounds": map_bounds(request.user, areas),
        # the grid, area and gap layers ask for no tile outside the areas the requester sees
        "tileBounds": areas,
        "minZoom": {name: layer.min_zoom for name, layer in LAYERS.items()},
        "figures": FIGURES,
        "defaultFigure": DEFAULT_FIGURE,
        "layers": {"agents": map_options(request.user)["agents"]},
        "basemap": basemap(),
        "console": console_config(request, scope),
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
