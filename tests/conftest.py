"""Shared fixtures: worlds (tests/worlds/), an API client, subprocess helpers. Tests run on
real PostGIS.

Worlds are built once and shared by consecutive tests of a module, each test rolled back to
its world (tests/worlds/stack.py). They are registered here, once, for every package.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = [
    "tests.worlds.stack",
    "tests.worlds.geo",
    "tests.worlds.people",
    "tests.worlds.appointments",
    "tests.worlds.cases",
    "tests.worlds.tiles",
    "tests.browser",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest-django's order (transactional tests last): the transactional tests with
    serialized_rollback before those without. A flush without it re-creates content types and
    permissions under new ids, which the next serialized_rollback could not load over."""

    def flushes_without_restoring(item):
        marker = item.get_closest_marker("django_db")
        return bool(
            marker is not None
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        )

    items.sort(key=flushes_without_restoring)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run Python in a fresh interpreter of this venv, from the checkout, with extra env."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,  # generous: CI machines are shared; a hang still ends
    )
