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
]


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
        timeout=120,
    )
