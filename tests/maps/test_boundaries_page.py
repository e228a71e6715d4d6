"""The boundary file page (/map/boundaries/): district staff only, its configuration, its
files, and the one link to it from /map/."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def config_of(response) -> dict:
    html = response.content.decode()
    pattern = r'<script id="boundaries-config" type="application/json">(.*?)</script>'
    return json.loads(re.search(pattern, html, re.S).group(1))


def client_of(world, who: str) -> Client:
    client = Client()
    client.force_login(world["people"][who].user)
    return client


def test_anonymous_visitors_are_sent_to_the_login_form(world):
    response = Client().get("/map/boundaries/")
    assert response.status_code == 302
    assert response["Location"] == "/map/login/?next=/map/boundaries/"


def test_district_staff_get_the_page(world):
    response = client_of(world, "district").get("/map/boundaries/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "边界文件导入" in html
    # no inline script: the page's data travels in a json_script block (core/csp.py)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    config = config_of(response)
    assert config["uploadUrl"] == "/api/v1/boundary-uploads/"
    assert [level["key"] for level in config["levels"]] == [
        "grid",
        "community",
        "street",
        "district",
    ]
    assert [crs["key"] for crs in config["sourceCrs"]] == ["wgs84", "gcj02", "bd09"]
    # every control has a name a screen reader reads
    for control in ("level", "parent", "file", "make-valid", "source-crs"):
        assert f'id="{control}"' in html
        assert f'for="{control}"' in html or f'id="{control}" name="make_valid"' in html


@pytest.mark.parametrize("who", ["manager1", "street", "supervisor", "agent1", "window"])
def test_others_are_told_the_page_is_not_theirs(world, who):
    response = client_of(world, who).get("/map/boundaries/")
    assert response.status_code == 403
    assert "仅限区市民服务中心" in response.content.decode()
    assert "boundaries-config" not in response.content.decode()


def test_the_map_links_to_the_page_for_district_staff_only(world):
    assert 'href="/map/boundaries/"' in client_of(world, "district").get("/map/").content.decode()
    assert (
        'href="/map/boundaries/"' not in client_of(world, "manager1").get("/map/").content.decode()
    )


@pytest.mark.parametrize("path", ["maps/boundaries.js", "maps/boundaries.css"])
def test_the_page_loads_only_files_the_project_serves(path):
    assert finders.find(path), path
