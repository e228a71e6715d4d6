"""Today's map view, server side: Leaflet as vendored for the map page; the optional basemap
(MAP_BASEMAP_*) reaches the app's configuration, its tile origins the page's CSP img-src, and
a GCJ-02 basemap is said so (the app then asks for its tasks in GCJ-02)."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def config_of(response) -> dict:
    html = response.content.decode()
    found = re.search(r'<script id="app-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_no_basemap_by_default(client, settings):
    settings.MAP_BASEMAP_URL = ""
    response = client.get("/app/")
    config = config_of(response)["map"]
    assert config["basemap"] is None
    assert finders.find(config["script"].removeprefix(settings.STATIC_URL))
    assert finders.find(config["css"].removeprefix(settings.STATIC_URL))
    assert "tianditu" not in response["Content-Security-Policy"]


def test_a_gcj02_basemap_is_let_in_and_said_so(client, settings):
    settings.MAP_BASEMAP_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    settings.MAP_BASEMAP_SUBDOMAINS = "12"
    settings.MAP_BASEMAP_CRS = "gcj02"
    response = client.get("/app/")
    basemap = config_of(response)["map"]["basemap"]
    assert (basemap["crs"], basemap["subdomains"]) == ("gcj02", "12")
    img_src = re.search(r"img-src ([^;]*)", response["Content-Security-Policy"]).group(1)
    assert "https://webrd01.is.autonavi.com" in img_src
    assert "https://webrd02.is.autonavi.com" in img_src
    settings.MAP_BASEMAP_CRS = "wgs84"
    assert config_of(client.get("/app/"))["map"]["basemap"]["crs"] == "wgs84"
