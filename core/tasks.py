"""Background work queued with the write that needs it (django-q2)."""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django_q.conf import Conf
from django_q.tasks import async_task


def enqueue_on_commit(func: str, *args, short: bool = False) -> None:
    """Queue the django-q2 task `func(*args)` to run once the current transaction has committed.

    With the ORM broker on this database (the default set-up), the queue row is written inside
    the transaction: the task exists exactly when the rows it reads do — a rollback takes both
    away, a crash just after the commit cannot lose it — and the write pays one commit instead of
    a second one for the queue. With another broker (Redis), outside a transaction, or in
    synchronous mode (tests run tasks in-process), the task is queued after the commit.

    `short=True` puts a task that finishes in seconds (a delivery) on the short cluster's queue
    (`settings.Q_SHORT_CLUSTER`): one interrupted by a crash runs again within 30 s instead of
    the main cluster's 180 s. Such a task must be safe to run twice at once (ADR 0016)."""
    options = {"cluster": settings.Q_SHORT_CLUSTER} if short else {}
    # django-q2's own reading of Q_CLUSTER, so both always agree on the broker; only when its
    # queue table is on the connection our writes go through
    if Conf.ORM == DEFAULT_DB_ALIAS and not Conf.SYNC and connections[Conf.ORM].in_atomic_block:
        async_task(func, *args, **options)
    else:
        transaction.on_commit(lambda: async_task(func, *args, **options))
