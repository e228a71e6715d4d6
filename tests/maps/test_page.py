"""The /map/ page: login required (its own small form), its configuration, its files."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def config_of(response) -> dict:
    html = response.content.decode()
    match = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_the_page_sends_anonymous_visitors_to_the_login_form(world):
    response = Client().get("/map/")
    assert response.status_code == 302
    assert response["Location"] == "/map/login/?next=/map/"


def test_staff_log_in_with_username_and_password_and_get_the_map(world):
    client = Client()
    form = client.get("/map/login/?next=/map/")
    assert "登录" in form.content.decode()
    response = client.post(
        "/map/login/", {"username": "manager1", "password": "pw-12345", "next": "/map/"}
    )
    assert response.status_code == 302 and response["Location"] == "/map/"
    page = client.get("/map/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "网格覆盖审查" in html and "王站长" in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    # the viewer's four scripts, then (for those who may edit) Geoman and the console's four
    assert len(scripts) == 9 and all(src.startswith("/static/maps/") for src in scripts)
    config = config_of(page)
    assert config["tilesUrl"] == "/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf"
    assert config["panelUrl"] == "/api/v1/grids/{code}/panel/"
    assert config["layers"] == {"agents": True}
    assert config["basemap"] is None
    (south, west), (north, east) = config["bounds"]
    assert 39.99 < south < north < 40.01 and 120.99 < west < east < 121.02
    # the tiles asked for: the manager's areas, which hold the grids the view fits
    (s2, w2), (n2, e2) = config["tileBounds"]
    assert s2 <= south and w2 <= west and n2 >= north and e2 >= east


def test_the_console_is_offered_to_editors_only(world):
    client = Client()
    client.force_login(world["people"]["manager1"].user)
    console = config_of(client.get("/map/"))["console"]
    assert console["everything"] is False and console["centre"] == world["tree"]["c1"].code
    assert console["csrfToken"]
    assert console["urls"]["grid"] == "/api/v1/grids/{code}/"
    assert console["urls"]["assignmentEnd"] == "/api/v1/grids/{code}/assignments/{assignment}/end/"
    assert console["urls"]["staffing"] == "/api/v1/grids/{code}/staffing/"
    assert console["urls"]["stationAgents"] == "/api/v1/centres/{code}/agents/"
    client.force_login(world["people"]["district"].user)
    assert config_of(client.get("/map/"))["console"]["everything"] is True
    for reader in ("supervisor", "agent1"):
        client.force_login(world["people"][reader].user)
        page = client.get("/map/")
        assert config_of(page)["console"] is None
        assert "edit-toggle" not in page.content.decode()
        assert "console/" not in page.content.decode()


def test_a_wrong_password_shows_the_form_again(world):
    response = Client().post("/map/login/", {"username": "manager1", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_agents_positions_are_offered_only_to_those_who_may_see_them(world):
    client = Client()
    client.force_login(world["people"]["supervisor"].user)
    assert config_of(client.get("/map/"))["layers"] == {"agents": False}


def test_an_optional_basemap_comes_from_settings(world, settings):
    settings.MAP_BASEMAP_URL = "https://t{s}.example.invalid/vec_w/{z}/{x}/{y}?tk=KEY"
    settings.MAP_BASEMAP_ATTRIBUTION = "天地图"
    settings.MAP_BASEMAP_SUBDOMAINS = "01234567"
    client = Client()
    client.force_login(world["people"]["district"].user)
    assert config_of(client.get("/map/"))["basemap"] == {
        "url": "https://t{s}.example.invalid/vec_w/{z}/{x}/{y}?tk=KEY",
        "attribution": "天地图",
        "subdomains": "01234567",
    }


@pytest.mark.parametrize(
    "path",
    [
        "maps/map.js",
        "maps/mvt-canvas.js",
        "maps/map.css",
        "maps/vendor/leaflet/leaflet.js",
        "maps/vendor/leaflet/leaflet.css",
        "maps/vendor/leaflet/images/layers.png",
        "maps/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js",
        "maps/vendor/leaflet-geoman/leaflet-geoman.min.js",
        "maps/vendor/leaflet-geoman/leaflet-geoman.css",
        "maps/console/api.js",
        "maps/console/staffing.js",
        "maps/console/editor.js",
        "maps/console/ops.js",
        "maps/console/console.css",
    ],
)
def test_the_page_loads_only_files_the_project_serves(path):
    assert finders.find(path), path


def test_logout_returns_to_the_login_form(world):
    client = Client()
    client.force_login(world["people"]["district"].user)
    response = client.post("/map/logout/")
    assert response.status_code == 302 and response["Location"] == "/map/login/"
    assert client.get("/map/").status_code == 302
