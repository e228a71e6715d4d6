"""The map page's settings: the optional raster basemap (`settings.MAP_BASEMAP_*`).

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = [
    "MAP_BASEMAP_ATTRIBUTION",
    "MAP_BASEMAP_CRS",
    "MAP_BASEMAP_SUBDOMAINS",
    "MAP_BASEMAP_URL",
]

# /map/: optional raster basemap in Web Mercator, e.g. 天地图 vec_w WMTS with a browser key and
# subdomains 01234567 (CGCS2000 ≈ WGS-84; AMap/Tencent would need GCJ-02). None by default.
MAP_BASEMAP_URL = os.environ.get("MAP_BASEMAP_URL", "")
MAP_BASEMAP_ATTRIBUTION = os.environ.get("MAP_BASEMAP_ATTRIBUTION", "")
MAP_BASEMAP_SUBDOMAINS = os.environ.get("MAP_BASEMAP_SUBDOMAINS", "")
# the coordinates the basemap's tiles are drawn in: "wgs84" (天地图; the default) or "gcj02"
# (AMap/Tencent). Read by the field app's map view (it asks for GCJ-02 points); the /map/ page
# draws server tiles in WGS-84 and does not use it.
MAP_BASEMAP_CRS = os.environ.get("MAP_BASEMAP_CRS", "wgs84")
