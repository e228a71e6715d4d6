"""The hourly purge: scheduled by migration, deletes expired records, safe to run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from idempotency import services, tasks
from idempotency.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def test_the_purge_is_scheduled_hourly():
    schedule = Schedule.objects.get(name="idempotency.purge_expired")
    assert (schedule.func, schedule.schedule_type, schedule.repeats) == (
        "idempotency.tasks.purge_expired",
        Schedule.HOURLY,
        -1,
    )


def test_the_purge_deletes_expired_records_and_twice_is_harmless():
    now = timezone.now()
    for key, age in (("old", timedelta(hours=25)), ("new", timedelta(minutes=5))):
        services.record_claim(
            scope="ip:10.0.0.1",
            key=key,
            method="POST",
            path="/api/v1/appointments/",
            fingerprint="f" * 64,
            now=now - age,
        )
    assert tasks.purge_expired() == 1
    assert tasks.purge_expired() == 0
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
