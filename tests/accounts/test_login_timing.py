"""No account enumeration by timing (ADR 0024): an unknown name, a phone that is no account and
an account without a usable password cost one password hash, exactly as a wrong password does;
measured, their answers take the same time."""

import statistics
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher
from rest_framework.test import APIClient

from people.models import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


class CostlyHasher(PBKDF2PasswordHasher):
    """Enough work per hash (tens of ms) for a difference to show above the noise."""

    algorithm = "pbkdf2_sha256_test"
    iterations = 100_000


@pytest.fixture
def open_brake(settings):
    settings.PEOPLE = {
        **settings.PEOPLE,
        "LOGIN_MAX_FAILURES": 1000,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 1000,
    }


def login(username, password="wrong"):
    return APIClient().post(
        "/api/v1/auth/login/", {"username": username, "password": password}, format="json"
    )


@pytest.mark.parametrize(
    "username", ["agent1", "nobody", "13999999999", "no-password"], ids=lambda u: u
)
def test_every_refused_name_costs_one_hash(username, open_brake, monkeypatch):
    make_staff("agent1", Role.AGENT, password="correct-horse")
    without_password = make_staff("no-password", Role.AGENT).user
    without_password.set_unusable_password()
    without_password.save(update_fields=["password"])
    hashes = []
    real_encode = MD5PasswordHasher.encode

    def counting_encode(self, password, salt):
        hashes.append(password)
        return real_encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    response = login(username)
    assert (response.status_code, response.json()["error"]["code"]) == (401, "invalid_credentials")
    assert hashes == ["wrong"]


def test_an_unknown_name_takes_as_long_as_a_wrong_password(settings, open_brake):
    settings.PASSWORD_HASHERS = [f"{__name__}.CostlyHasher"]
    make_staff("agent1", Role.AGENT, password="correct-horse")
    login("agent1"), login("nobody")  # warm both paths
    durations: dict[str, list[float]] = {"agent1": [], "nobody": []}
    for _ in range(5):
        for name, times in durations.items():
            started = time.perf_counter()
            assert login(name).status_code == 401
            times.append(time.perf_counter() - started)
    wrong, unknown = (statistics.median(times) for times in durations.values())
    assert max(wrong, unknown) / min(wrong, unknown) < 2, (wrong, unknown)
