"""A description of the machine and software a benchmark ran on, stored with its figures."""

from __future__ import annotations

import os
import platform
import subprocess

from django.db import connection


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def describe() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), postgis_lib_version()")
        pg, postgis = cursor.fetchone()
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg.split(" on ")[0],
        "postgis": postgis,
        "commit": commit,
        "note": "shared machine: compare figures within one run",
    }
