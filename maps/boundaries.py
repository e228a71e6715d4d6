"""The boundary file page (/map/boundaries/): district staff upload a boundary file, see the
worker's preview on a map — refused features in red, each with its reason — choose the repair
and coordinate-system options, and apply the file all or nothing.

A shell like the map page: boundaries.js talks to /api/v1/boundary-uploads/ (geo.uploads);
Leaflet comes from maps/static/maps/vendor/. Others get the page's 403 with a sentence.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from core.csp import csp_allow, origin_of_template
from geo import access
from geo.geometry import geo_setting
from people.scope import scope_for

from .selectors import map_bounds
from .views import basemap

LEVELS = [
    {"key": "grid", "label": "网格"},
    {"key": "community", "label": "社区（村）"},
    {"key": "street", "label": "街道（镇）"},
    {"key": "district", "label": "区"},
]
SOURCE_CRS = [
    {"key": "wgs84", "label": "WGS-84（GPS、天地图、测绘成果）"},
    {"key": "gcj02", "label": "GCJ-02（高德、腾讯地图上描绘）"},
    {"key": "bd09", "label": "BD-09（百度地图上描绘）"},
]


@login_required(login_url="maps:login")
def boundaries_page(request):
    staff = scope_for(request.user).staff
    who = staff.full_name if staff else request.user.get_username()
    if not access.policy().may_import_boundaries(request.user):
        return render(request, "maps/boundaries_denied.html", {"who": who}, status=403)
    config = {
        "uploadUrl": reverse("geo:boundary-upload-list"),
        "bounds": map_bounds(request.user),
        "levels": LEVELS,
        "sourceCrs": SOURCE_CRS,
        "maxBytes": geo_setting("UPLOAD_MAX_BYTES"),
        "maxFeatures": geo_setting("UPLOAD_MAX_FEATURES"),
        "basemap": basemap(),
    }
    response = render(request, "maps/boundaries.html", {"config": config, "who": who})
    if config["basemap"]:
        origins = origin_of_template(config["basemap"]["url"], config["basemap"]["subdomains"])
        csp_allow(response, "img-src", *origins)
    return response
