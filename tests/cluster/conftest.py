"""The production layout, started once for the cluster tests (scripts/cluster, ADR 0030/0031):
nginx in front of two gunicorn nodes, Redis, the embedded primary and a streaming replica, two
django-q2 clusters. Its own name, ports and database (a copy of a migrated, demo-loaded template
kept on the primary), stopped at the end of the session."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = "test-cluster"
PASSWORD = "demo-pass-2026"
# the public tracking limit the throttle tests count against
TRACK_LIMIT = 5


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")

    @property
    def route(self) -> str | None:
        """Which database answered (X-Database-Route: `replica1; replica`, `default; …`)."""
        return (self.headers.get("x-database-route") or "").split(";")[0] or None

    @property
    def route_reason(self) -> str:
        return self.headers.get("x-database-route", "")


class Cluster:
    def __init__(self, info: dict):
        self.info = info
        self.url = info["url"]
        self.nginx_port = info["nginx_port"]
        self.web_ports = info["web_ports"]
        self.state = Path(info["state"])
        self.db = info["database"]
        self._tokens: dict[str, str] = {}

    # --- HTTP ---------------------------------------------------------------------------------
    def call(
        self,
        method,
        path,
        body=None,
        *,
        token=None,
        port=None,
        source=None,
        headers=None,
        timeout=20,
    ) -> Answer:
        conn = http.client.HTTPConnection(
            "127.0.0.1",
            port or self.nginx_port,
            timeout=timeout,
            source_address=(source, 0) if source else None,
        )
        sent = {"Accept": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Token {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            conn.request(method, path, data, sent)
            response = conn.getresponse()
            return Answer(
                response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            )
        finally:
            conn.close()

    def token(self, username: str) -> str:
        if username not in self._tokens:
            answer = self.call(
                "POST", "/api/v1/auth/login/", {"username": username, "password": PASSWORD}
            )
            assert answer.status == 200, answer.body
            self._tokens[username] = answer.json()["token"]
        return self._tokens[username]

    # --- databases ----------------------------------------------------------------------------
    def primary(self):
        return psycopg.connect(
            f"postgresql://gridproxy@127.0.0.1:{self.info['primary_port']}/{self.db}",
            autocommit=True,
        )

    def replica(self):
        return psycopg.connect(
            f"postgresql://gridproxy@127.0.0.1:{self.info['replica_port']}/{self.db}",
            autocommit=True,
            connect_timeout=3,
        )

    def scalar(self, sql, params=()):
        with self.primary() as conn:
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None

    def pid(self, name: str) -> int:
        return int((self.state / f"{name}.pid").read_text())

    def env(self) -> dict:
        """The environment the nodes and workers have (to run Django against the cluster)."""
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        for line in (self.state / "secrets.env").read_text().splitlines():
            key, _, value = line.partition("=")
            env[key] = value
        env.update(
            DJANGO_SETTINGS_MODULE="server.settings.cluster",
            DATABASE_URL=f"postgis://gridproxy@127.0.0.1:{self.info['primary_port']}/{self.db}",
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            SECURE_COOKIES="false",
            Q_SYNC="false",
        )
        return env


def booking(marker: str) -> dict:
    start = (datetime.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    return {
        "service_item": "MZ-001",
        "applicant_name": marker,
        "applicant_phone": "13800001234",
        "location": {"type": "Point", "coordinates": [122.0244, 41.2177]},
        "address": "集群测试",
        "channel": "phone",
        "preferred_start": start.isoformat() + "+08:00",
        "preferred_end": (start + timedelta(hours=2)).isoformat() + "+08:00",
    }


def marker() -> str:
    return f"集群{uuid.uuid4().hex[:10]}"


def eventually(check, timeout=30.0, every=0.25, message="condition not met"):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(every)


@pytest.fixture(scope="session")
def cluster():
    suffix = os.environ.get("TEST_DB_NAME", "")
    name = f"{NAME}-{suffix}" if suffix else NAME
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)},
        "CLUSTER_NAME": name,
        "CLUSTER_DB": f"gridproxy_cluster_{suffix or 'test'}",
        "CLUSTER_FRESH": "1",
        "CLUSTER_TEMPLATE": "1",
        "DATABASE_ROUTE_HEADER": "true",
        "DATABASE_REPLICA_MAX_LAG_SECONDS": "3",
        "THROTTLE_TRACK_ANON": f"{TRACK_LIMIT}/minute",
        "THROTTLE_APPOINTMENTS_STAFF": "100000/minute",
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "INFO",
    }
    started = subprocess.run(
        [str(ROOT / "scripts/cluster"), "start"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        assert started.returncode == 0, started.stderr[-3000:]
        info = json.loads((ROOT / "var" / name / "cluster.json").read_text())
        yield Cluster(info)
    finally:
        subprocess.run(
            [str(ROOT / "scripts/cluster"), "stop"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=120,
        )
