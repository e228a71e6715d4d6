"""Serving: production passes `check --deploy`; the HTML pages carry a Content-Security-Policy
that allows only the project's own scripts and styles; no server version banner."""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client

from core.csp import origin_of_template
from tests.conftest import ROOT

# what README's security section tells an operator behind a TLS proxy to set
DOCUMENTED_PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "server.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "RESIDENT_ID_KEY": Fernet.generate_key().decode(),
    "RESIDENT_ID_HASH_KEY": secrets.token_urlsafe(32),
    "REGISTER_CHAIN_KEY": secrets.token_urlsafe(32),
    "DATABASE_URL": "postgis://gridproxy@127.0.0.1:1/gridproxy",
    "ALLOWED_HOSTS": "gridproxy.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://gridproxy.example.cn",
}


def test_production_settings_pass_check_deploy_without_a_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT), **DOCUMENTED_PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_settings_follow_the_environment():
    """The demo path without TLS turns HTTPS off through the environment (docker compose)."""
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
        " s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), **DOCUMENTED_PRODUCTION_ENV}
    plain = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **env,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "SECURE_COOKIES": "false",
            "BEHIND_TLS_PROXY": "false",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split() == ["False", "0", "False", "None"]


# --- Content-Security-Policy ------------------------------------------------------------------


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


def assert_strict(response):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["worker-src"] == ["'self'"]  # workers from our own scripts only; no blob:
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_map_its_login_and_the_board_carry_the_policy_and_still_work(world):
    client = Client()
    login = client.get("/map/login/")
    assert login.status_code == 200
    assert_strict(login)
    client.force_login(world["people"]["manager1"].user)
    page = client.get("/map/")
    assert page.status_code == 200 and "网格覆盖审查" in page.content.decode()
    assert_strict(page)
    assert directives(page)["img-src"] == ["'self'", "data:"]
    board = client.get("/board/210000001001/")
    assert board.status_code == 200 and "一社区中心" in board.content.decode()
    assert_strict(board)
    missing = client.get("/board/999999999999/")
    assert missing.status_code == 404
    assert_strict(missing)
    # the board's styles moved to a static file, which collectstatic finds
    assert 'href="/static/people/board.css"' in board.content.decode()
    assert finders.find("people/board.css")


@pytest.mark.django_db
def test_a_configured_basemap_host_may_serve_images_and_nothing_else(world, settings):
    settings.MAP_BASEMAP_URL = "https://t{s}.tianditu.example/vec_w/wmts?tk=KEY&x={x}"
    settings.MAP_BASEMAP_SUBDOMAINS = "01"
    client = Client()
    client.force_login(world["people"]["manager1"].user)
    policy = directives(client.get("/map/"))
    assert policy["img-src"] == [
        "'self'",
        "data:",
        "https://t0.tianditu.example",
        "https://t1.tianditu.example",
    ]
    assert policy["script-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]


def test_basemap_origins():
    assert origin_of_template("https://tiles.example/{z}/{x}/{y}.png") == ["https://tiles.example"]
    assert origin_of_template("http://{s}.osm.example/{z}.png", "") == [
        "http://a.osm.example",
        "http://b.osm.example",
        "http://c.osm.example",
    ]
    assert origin_of_template("/relative/{z}.png") == []


@pytest.mark.django_db
def test_json_answers_and_exempt_third_party_pages_carry_no_policy(world, settings):
    client = Client()
    assert "Content-Security-Policy" not in client.get("/healthz")
    assert "Content-Security-Policy" not in client.get("/api/v1/public/stations/210000001001/")
    assert "/admin/" in settings.CSP_EXEMPT_PATHS
    assert "Content-Security-Policy" not in client.get("/admin/login/")


TEMPLATES = [
    *Path(ROOT, "maps", "templates").rglob("*.html"),
    *Path(ROOT, "people", "templates").rglob("*.html"),
]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_our_pages_have_no_inline_script_or_style(template):
    html = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "json_script" in html or "<script>" not in html
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)  # onclick= and the like


# --- Server banner ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.django_db
def test_gunicorn_names_no_version():
    """The real server with the project's gunicorn.conf.py (the image's command)."""
    db = connection.settings_dict
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "server.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "server.settings.test",
            "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    headers = r.headers
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    banner = headers.get("Server", "")
    assert not re.search(r"\d", banner) and "/" not in banner, banner
    assert "X-Powered-By" not in headers
