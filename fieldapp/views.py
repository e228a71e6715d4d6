"""The field app (/app/): a shell page, its service worker and its web app manifest.

Everything else the app needs is a static file (fieldapp/static/fieldapp/: plain ES modules, no
build step) and the mobile API. The service worker is served from /app/sw.js so that its scope
is /app/; it is rendered with the list of files it keeps for offline use and a version made
from their contents, so a deployment that changes any of them installs a new worker (which
waits to take over until the page says its queue of writes is empty).

Must never import another app's models or services: the app talks to the API like any client.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.csp import csp_allow, origin_of_template

# the app shell: what the page loads (the service worker keeps them for offline use)
SHELL_FILES = (
    "fieldapp/app.css",
    "fieldapp/app.js",
    "fieldapp/api.js",
    "fieldapp/store.js",
    "fieldapp/queue.js",
    "fieldapp/i18n.js",
    "fieldapp/dom.js",
    "fieldapp/screens.js",
    "fieldapp/cases.js",
    "fieldapp/photos.js",
    "fieldapp/mapview.js",
    "fieldapp/desk.js",
    "fieldapp/icons/icon-192.png",
)


@cache
def _version() -> str:
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        path = finders.find(name)
        digest.update(name.encode())
        if path:
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()[:12]


def _basemap() -> dict | None:
    """The map page's optional raster basemap (`MAP_BASEMAP_*`), for Today's map view; its
    `crs` says which coordinates its tiles are drawn in (gcj02: the tasks are asked for in
    GCJ-02, so they sit on the basemap's streets)."""
    url = getattr(settings, "MAP_BASEMAP_URL", "")
    if not url:
        return None
    return {
        "url": url,
        "attribution": getattr(settings, "MAP_BASEMAP_ATTRIBUTION", ""),
        "subdomains": getattr(settings, "MAP_BASEMAP_SUBDOMAINS", "") or "abc",
        "crs": "gcj02" if settings.MAP_BASEMAP_CRS == "gcj02" else "wgs84",
    }


def _config() -> dict:
    return {
        "api": "/api/v1/",
        "version": _version(),
        "sw": reverse("fieldapp:service-worker"),
        "scope": reverse("fieldapp:shell"),
        "syncSeconds": 60,
        # Today's map view: Leaflet as vendored for the map page, loaded only when asked for
        "map": {
            "script": static("maps/vendor/leaflet/leaflet.js"),
            "css": static("maps/vendor/leaflet/leaflet.css"),
            "basemap": _basemap(),
        },
    }


@require_GET
def app_shell(request):
    """The page every screen of the app lives in (screens are drawn by app.js)."""
    config = _config()
    response = render(request, "fieldapp/index.html", {"config": config})
    response["Cache-Control"] = "no-cache"
    if basemap := config["map"]["basemap"]:
        # the basemap's tile images may come in, nothing else from its origin
        csp_allow(response, "img-src", *origin_of_template(basemap["url"], basemap["subdomains"]))
    return response


@require_GET
def desk_entry(request):
    """/desk/: the same app at a desk (street/town centre and approval-window staff): its queues
    screen. One page, one copy of the screens: this only points at it."""
    return HttpResponseRedirect(reverse("fieldapp:shell") + "#/desk")


@require_GET
@never_cache
def service_worker(request):
    """/app/sw.js: scope /app/, never cached by the browser's HTTP cache (updates must show)."""
    shell = [reverse("fieldapp:shell"), reverse("fieldapp:manifest")]
    for name in SHELL_FILES:
        shell.append(static(name))
        shell.append(settings.STATIC_URL.rstrip("/") + "/" + name)  # what modules import
    body = render(
        request,
        "fieldapp/sw.js",
        {"version": _version(), "shell": json.dumps(sorted(set(shell)))},
    ).content
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("fieldapp:shell")
    return response


@require_GET
def manifest(request):
    scope = reverse("fieldapp:shell")
    return JsonResponse(
        {
            "name": "便民代办 · 网格员",
            "short_name": "便民代办",
            "lang": "zh-CN",
            "start_url": scope,
            "scope": scope,
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#ffffff",
            "theme_color": "#0b5cad",
            "icons": [
                {
                    "src": static(f"fieldapp/icons/icon-{n}.png"),
                    "sizes": f"{n}x{n}",
                    "type": "image/png",
                }
                for n in (192, 512)
            ]
            + [
                {
                    "src": static("fieldapp/icons/maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                }
            ],
        },
        content_type="application/manifest+json",
    )
