"""The brake's counters (accounts/brake.py, ADR 0024), with time passed in: a lock after the
limit, lasting exactly the lockout from the failure that reached it and not extended by tries
made meanwhile; a new window afterwards; success resetting or giving back; expired rows purged."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.brake import Rule, brake_reserve, brake_settle, key_for
from accounts.models import AttemptCounter

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ACCOUNT = Rule("account", 5, window_seconds=900, lockout_seconds=900, reset_on_success=True)
ADDRESS = Rule("address", 20, window_seconds=900, lockout_seconds=900)


def fail(rule=ACCOUNT, subject=1, at=T0):
    reservation = brake_reserve(checks=[(rule, subject)], now=at)
    if not reservation.refused:
        brake_settle(reservation=reservation, succeeded=False)
    return reservation


def test_the_lock_lasts_the_lockout_from_the_failure_that_reached_the_limit():
    for second in range(5):
        assert not fail(at=T0 + timedelta(seconds=second)).refused
    locked_at = T0 + timedelta(seconds=4)
    row = AttemptCounter.objects.get()
    assert (row.failures, row.locked_until) == (5, locked_at + timedelta(seconds=900))
    # tries while locked are refused, unchecked, and do not move the lock
    for second in (10, 300, 899):
        refused = fail(at=locked_at + timedelta(seconds=second))
        assert refused.refused and refused.retry_after == 900 - second
    assert AttemptCounter.objects.get().locked_until == locked_at + timedelta(seconds=900)
    # exactly the lockout later a new window starts
    again = fail(at=locked_at + timedelta(seconds=900))
    assert not again.refused
    row = AttemptCounter.objects.get()
    assert (row.failures, row.locked_until) == (1, None)


def test_failures_spread_beyond_the_window_do_not_lock():
    for minutes in (0, 5, 10, 14):
        fail(at=T0 + timedelta(minutes=minutes))
    assert not fail(at=T0 + timedelta(minutes=15)).refused  # the first window is over
    assert AttemptCounter.objects.get().failures == 1


def test_a_success_resets_an_account_and_gives_back_on_an_address():
    for _ in range(4):
        fail(subject=7)
        fail(ADDRESS, "10.0.0.1")
    ok = brake_reserve(checks=[(ACCOUNT, 7), (ADDRESS, "10.0.0.1")], now=T0)
    brake_settle(reservation=ok, succeeded=True)
    assert not AttemptCounter.objects.filter(key=key_for(ACCOUNT, 7)).exists()
    assert AttemptCounter.objects.get(key=key_for(ADDRESS, "10.0.0.1")).failures == 4


def test_a_try_refused_by_one_key_is_given_back_on_the_others():
    for _ in range(5):
        fail(subject=7)
    refused = brake_reserve(checks=[(ACCOUNT, 7), (ADDRESS, "10.0.0.9")], now=T0)
    assert refused.refused
    assert AttemptCounter.objects.get(key=key_for(ADDRESS, "10.0.0.9")).failures == 0


def test_expired_rows_are_purged_by_later_tries():
    for n in range(3):
        fail(subject=100 + n)
    fail(subject=200, at=T0 + timedelta(hours=1))
    assert list(AttemptCounter.objects.values_list("key", flat=True)) == ["account:200"]


def test_typed_subjects_are_kept_as_digests():
    fail(ADDRESS, "203.0.113.7")
    fail(Rule("name", 5, 900, 900), "nobody\x00\ud800")  # odd characters reach no column
    keys = list(AttemptCounter.objects.values_list("key", flat=True))
    assert all("203.0.113.7" not in key and "nobody" not in key for key in keys)
    assert all(len(key) <= 80 for key in keys)
