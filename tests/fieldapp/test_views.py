"""The field app's server side: the shell page, its service worker (scope /app/, the files it
keeps all present) and its manifest (installable: icons that exist); no inline scripts."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

from fieldapp.views import SHELL_FILES

pytestmark = pytest.mark.django_db


def test_the_shell_page_loads_only_static_scripts(client):
    response = client.get("/app/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    # the module file, and the configuration as a JSON data block (never run): no inline code
    for attrs, body in scripts:
        assert ('type="module"' in attrs and "src=" in attrs and not body.strip()) or (
            'type="application/json"' in attrs
        )
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "data-pending=" in html and "data-synced-at=" in html


def test_the_service_worker_is_served_at_the_scope_with_every_shell_file(client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/app/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", body).group(1))
    assert "/app/" in shell
    for name in SHELL_FILES:
        assert finders.find(name), name
        assert f"/static/{name}" in shell


def test_every_module_the_app_imports_is_in_the_shell():
    app = finders.find("fieldapp/app.js")
    folder = app.rsplit("/", 1)[0]
    imported = set()
    for name in SHELL_FILES:
        if name.endswith(".js"):
            with open(finders.find(name), encoding="utf-8") as f:
                imported |= set(re.findall(r'from "\./([\w-]+\.js)"', f.read()))
    assert {f"fieldapp/{m}" for m in imported} <= set(SHELL_FILES), folder


def test_the_manifest_makes_it_installable(client):
    response = client.get("/app/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == manifest["scope"] == "/app/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_desk_is_the_same_app(client):
    """/desk/ points at the field app's own page (one copy of the screens), whose service
    worker keeps the desk's module too."""
    response = client.get("/desk/")
    assert response.status_code == 302 and response["Location"] == "/app/#/desk"
    assert "fieldapp/desk.js" in SHELL_FILES
    assert "/static/fieldapp/desk.js" in client.get("/app/sw.js").content.decode()
