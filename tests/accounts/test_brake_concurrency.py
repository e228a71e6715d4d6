"""The brake is atomic (ADR 0024): 25 wrong passwords for one account sent at once, from 25
addresses, on real connections, get exactly 5 password checks (401) and 20 refusals (429):
each try takes its number from one INSERT … ON CONFLICT … RETURNING before it is checked, so
no two tries read the same count."""

import threading
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from people.models import Role
from tests.factories import make_staff

# committed rows: every thread's own connection must see the account and each other's counts
pytestmark = pytest.mark.django_db(transaction=True)

TRIES = 25


def test_parallel_wrong_passwords_are_checked_at_most_five_times(monkeypatch):
    make_staff("agent1", Role.AGENT, password="correct-horse")
    checked, lock = [], threading.Lock()
    real_check = User.check_password

    def slow_check(user, raw_password):
        with lock:
            checked.append(raw_password)
        time.sleep(0.3)  # a real hasher's cost: every try arrives while the first are checked
        return real_check(user, raw_password)

    monkeypatch.setattr(User, "check_password", slow_check)
    start = threading.Barrier(TRIES)
    statuses: list[int] = []

    def attempt(n: int) -> None:
        try:
            client = APIClient()
            start.wait()
            response = client.post(
                "/api/v1/auth/login/",
                {"username": "agent1", "password": f"wrong-{n}"},
                format="json",
                REMOTE_ADDR=f"203.0.113.{n + 1}",  # a spread attack: only the account brakes
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(TRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == TRIES
    assert len(checked) == 5
    assert sorted(statuses) == [401] * 5 + [429] * (TRIES - 5)
