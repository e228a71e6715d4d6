"""A task for the cluster tests' worker kill: its effect commits once per key, however often a
broker hands it out (the pattern of every task here, ADR 0016: claim, act, mark in one
transaction). `started` is written outside that transaction, so the test can see which worker
process runs it — and kill that one."""

from __future__ import annotations

import os
import time

from django.db import connection, transaction

TABLES = """
CREATE TABLE IF NOT EXISTS cluster_test_started (key text, pid int, at timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS cluster_test_effect (key text, pid int, at timestamptz DEFAULT now());
"""


def record(key: str, seconds: float) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cluster_test_started (key, pid) VALUES (%s, %s)", [key, os.getpid()]
        )
    with transaction.atomic(), connection.cursor() as cursor:
        # a second run of the same task while the first still runs waits here, then finds it done
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
        cursor.execute("SELECT 1 FROM cluster_test_effect WHERE key = %s", [key])
        if cursor.fetchone():
            return "done already"
        time.sleep(seconds)
        cursor.execute(
            "INSERT INTO cluster_test_effect (key, pid) VALUES (%s, %s)", [key, os.getpid()]
        )
    return "done"
