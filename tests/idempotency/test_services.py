"""Claiming and finishing records: one claim per key, expired and abandoned claims taken over
(never one that is merely slow), a lost claim cannot overwrite the new one, purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from idempotency import services
from idempotency.models import IdempotencyRecord, State

pytestmark = pytest.mark.django_db

REQUEST = {"scope": "user:1", "key": "k-1", "method": "POST", "path": "/api/v1/x/"}


def claim(now=None, fingerprint="f" * 64, **overrides):
    return services.record_claim(**{**REQUEST, **overrides}, fingerprint=fingerprint, now=now)


def test_the_first_claims_and_the_second_sees_it_in_progress_then_done():
    first = claim()
    assert isinstance(first, services.Claim)
    second = claim()
    assert isinstance(second, services.Existing) and second.state == State.IN_PROGRESS
    assert services.record_finish(
        claim=first, status=201, headers={"Content-Type": "application/json"}, body=b"{}"
    )
    done = claim()
    assert (done.state, done.status, done.headers, done.body) == (
        State.DONE,
        201,
        {"Content-Type": "application/json"},
        b"{}",
    )
    assert isinstance(claim(scope="user:2"), services.Claim)  # another requester
    assert isinstance(claim(key="k-2"), services.Claim)  # another key


def test_an_expired_record_is_taken_over_and_its_old_claim_is_lost():
    now = timezone.now()
    old = claim(now=now - timedelta(hours=25))
    services.record_finish(claim=old, status=201, headers={}, body=b"old")
    new = claim(now=now, fingerprint="e" * 64)  # after expiry even another request may use it
    assert isinstance(new, services.Claim) and new.record_id == old.record_id
    assert not services.record_finish(claim=old, status=200, headers={}, body=b"late")
    services.record_release(claim=old)  # a no-op: the row belongs to the new claim
    record = IdempotencyRecord.objects.get()
    assert (record.state, record.fingerprint, record.response_body) == (
        State.IN_PROGRESS,
        "e" * 64,
        None,
    )


def test_an_abandoned_claim_is_taken_over_only_by_the_same_request(settings):
    now = timezone.now()
    stale = now - timedelta(seconds=settings.IDEMPOTENCY["STALE_AFTER_SECONDS"] + 1)
    slow = now - timedelta(seconds=settings.IDEMPOTENCY["STALE_AFTER_SECONDS"] - 5)
    abandoned = claim(now=stale)
    other = claim(now=now, fingerprint="e" * 64)
    assert isinstance(other, services.Existing) and other.fingerprint == "f" * 64
    taken = claim(now=now)
    assert isinstance(taken, services.Claim) and taken.token != abandoned.token

    IdempotencyRecord.objects.all().delete()
    claim(now=slow)
    assert isinstance(claim(now=now), services.Existing)  # still running, not abandoned


def test_release_forgets_the_key():
    first = claim()
    services.record_release(claim=first)
    assert not IdempotencyRecord.objects.exists()
    assert isinstance(claim(), services.Claim)


def test_purge_deletes_only_expired_records():
    now = timezone.now()
    claim(now=now - timedelta(hours=30), key="old")
    claim(now=now - timedelta(hours=23), key="young")
    assert services.records_purge(now=now) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["young"]
    assert services.records_purge(now=now) == 0
