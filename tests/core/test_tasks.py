"""Tasks queued with the write that needs them (core.tasks.enqueue_on_commit)."""

import pytest
from django.db import transaction
from django_q.conf import Conf
from django_q.models import OrmQ

from core.tasks import enqueue_on_commit

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """Tasks onto the ORM broker, as in production (the tests run them in-process otherwise)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    return monkeypatch


def test_with_the_orm_broker_the_queue_row_is_part_of_the_transaction(broker):
    before = OrmQ.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("notifications.tasks.deliver_pending")
        # written with the transaction's own rows: visible inside it, nowhere else yet
        assert OrmQ.objects.count() == before + 1
        raise RuntimeError("roll back")
    assert OrmQ.objects.count() == before  # a rolled-back write leaves no task behind
    with transaction.atomic():
        enqueue_on_commit("notifications.tasks.deliver_pending")
    assert OrmQ.objects.count() == before + 1


def test_with_another_broker_the_task_waits_for_the_commit(
    broker, django_capture_on_commit_callbacks
):
    broker.setattr(Conf, "ORM", None)  # Redis, say: not this database
    before = OrmQ.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        enqueue_on_commit("notifications.tasks.deliver_pending")
    assert OrmQ.objects.count() == before  # nothing written with the transaction
    assert len(callbacks) == 1  # queued on commit instead


# outside any transaction is what it checks (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_task_is_queued_at_once(broker):
    before = OrmQ.objects.count()
    enqueue_on_commit("notifications.tasks.deliver_pending")  # autocommit: nothing to wait for
    assert OrmQ.objects.count() == before + 1
