"""The real server for the HTTP benchmarks: gunicorn (2 sync workers) on loopback against the
benchmark database, production settings, pace limits lifted (the server's capacity is measured,
not a desk's)."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def production_env(**extra_env: str) -> dict[str, str]:
    """The environment of the benchmark server: production settings on the benchmark database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings.production",
        "SECRET_KEY": "bench-" + "x" * 40,
        "RESIDENT_ID_KEY": "0" * 43 + "=",
        "RESIDENT_ID_HASH_KEY": "bench",
        "REGISTER_CHAIN_KEY": "bench-" + "y" * 40,
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "ALLOWED_HOSTS": "127.0.0.1",
        # plain HTTP on loopback, no TLS proxy in front (README, security section)
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "BEHIND_TLS_PROXY": "false",
        "THROTTLE_PER_USER": "1000000/minute",
        "THROTTLE_PER_ADDRESS": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        **extra_env,
    }


def wait_healthy(port: int, tries: int = 150) -> None:
    """Until the server on `port` answers /healthz with 200 (up to `tries` × 0.2 s)."""
    for _ in range(tries):
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)


@contextmanager
def gunicorn(**extra_env: str) -> Iterator[int]:
    """Start gunicorn, wait until /healthz answers, yield its port, stop it afterwards."""
    port = 18000 + os.getpid() % 1000
    env = production_env(**extra_env)
    command = [sys.executable, "-m", "gunicorn", "server.wsgi:application"]
    server = subprocess.Popen(
        [*command, "-b", f"127.0.0.1:{port}", "-w", "2", "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def district_token() -> str:
    """A device token for a district staff member who sees everything (created once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from accounts.services import login_with_password
    from geo.models import Area
    from people.models import Role, Staff

    user, _ = get_user_model().objects.get_or_create(
        username="bench-district", defaults={"password": make_password("bench-pass")}
    )
    if not Staff.objects.filter(user=user).exists():
        Staff.objects.create(
            user=user,
            full_name="基准测试",
            phone="19900000001",
            roles=[Role.DISTRICT_STAFF],
            centre=Area.objects.get(code="999999000000").centre,
        )
    _user, token = login_with_password(
        identifier="bench-district", password="bench-pass", device="bench"
    )
    return token
