"""audit.context: the execute wrapper hands the current context to the triggers before each
audited write, for single statements and executemany, never leaking one write's context into
a later one; django-q2 tasks run with their own context."""

import pytest
from django.db import connection
from django_q.tasks import async_task

from audit.context import (
    audit_context,
    current_context,
    install,
    is_audited_write,
    record_context,
)
from geo.models import Grid
from tests.audit.conftest import changes_of

pytestmark = pytest.mark.django_db


def rename_grid(code: str, name: str) -> None:
    """A task that writes an audited table (run by django-q2 in the tests' sync mode)."""
    Grid.objects.filter(code=code).update(name=name)


def session_context() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('audit.context', true)")
        return cursor.fetchone()[0]


def test_the_wrapper_is_installed_once_per_connection():
    connection.ensure_connection()
    assert connection.execute_wrappers.count(record_context) == 1
    install(connection=connection)
    assert connection.execute_wrappers.count(record_context) == 1


@pytest.mark.parametrize(
    ("sql", "audited"),
    [
        ('INSERT INTO "geo_grid" ("code") VALUES (%s)', True),
        ('UPDATE "cases_case" SET "status" = %s', True),
        ("delete from people_gridassignment where id = %s", True),
        ("WITH x AS (UPDATE geo_gridboundary SET note = '' RETURNING id) SELECT 1", True),
        ('SELECT "geo_grid"."id" FROM "geo_grid" WHERE "geo_grid"."updated" = 1', False),
        ('INSERT INTO "cases_caseevent" ("note") VALUES (%s)', False),
        ('UPDATE "appointments_appointmentevent" SET "note" = %s', False),
        ('INSERT INTO "geo_area" ("code") VALUES (%s)', False),
    ],
)
def test_which_statements_are_audited_writes(sql, audited):
    assert is_audited_write(sql) is audited


def test_a_context_does_not_leak_into_a_later_write(world):
    a, b = world["grids"]["A"], world["grids"]["B"]
    user_id = world["people"]["district"].user_id
    with audit_context(user=user_id, command="test"):
        Grid.objects.filter(pk=a.pk).update(name="甲")
    assert session_context() != ""  # still set in this (the test's) transaction…
    Grid.objects.filter(pk=b.pk).update(name="乙")  # …but this write sends its own (none)
    assert session_context() == ""
    assert changes_of("geo_grid", a.pk)[-1].actor_id == user_id
    later = changes_of("geo_grid", b.pk)[-1]
    assert (later.actor_id, later.context) == (None, {})


def test_contexts_nest_and_restore():
    with audit_context(user=1, command="import"):
        with audit_context(reason="fix"):
            assert current_context() == {"user": 1, "command": "import", "reason": "fix"}
        assert current_context() == {"user": 1, "command": "import"}
    assert current_context() is None


def test_executemany_writes_are_recorded_with_the_context(world):
    a, b = world["grids"]["A"], world["grids"]["B"]
    manager = world["people"]["manager1"]
    with audit_context(user=manager.user_id, task="batch"), connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE geo_grid SET name = %s WHERE id = %s", [("甲", a.pk), ("乙", b.pk)]
        )
    for grid, name in ((a, "甲"), (b, "乙")):
        change = changes_of("geo_grid", grid.pk)[-1]
        assert change.changes == {"name": [grid.code, name]}
        assert change.actor_id == world["people"]["manager1"].user_id
        assert change.context == {"task": "batch"}


def test_a_task_runs_with_its_own_context_and_restores_the_callers(world):
    grid = world["grids"]["A"]
    with audit_context(user=world["people"]["district"].user_id, request_id="outer"):
        task_id = async_task("tests.audit.test_context.rename_grid", "A", "甲", sync=True)
        assert current_context()["request_id"] == "outer"  # the caller's context is back
    change = changes_of("geo_grid", grid.pk)[-1]
    assert change.changes == {"name": ["A", "甲"]}
    assert change.actor_id is None and change.request_id == ""
    assert change.context == {"task": "tests.audit.test_context.rename_grid", "task_id": task_id}


# autocommit is what it checks (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_in_autocommit_each_write_gets_a_transaction_with_its_context(world):
    """Each statement would be its own transaction here: the setting and the write share one,
    and the setting ends with it (nothing stays on the connection for a later client of a
    transaction-mode pooler)."""
    a, b = world["grids"]["A"], world["grids"]["B"]
    assert connection.get_autocommit()
    user_id = world["people"]["district"].user_id
    with audit_context(user=user_id):
        Grid.objects.filter(pk=a.pk).update(name="甲")
        assert session_context() in ("", None)
    Grid.objects.filter(pk=b.pk).update(name="乙")
    assert connection.get_autocommit()
    assert changes_of("geo_grid", a.pk)[-1].actor_id == user_id
    assert changes_of("geo_grid", b.pk)[-1].actor_id is None
    with audit_context(user=user_id), connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE geo_grid SET name = %s WHERE id = %s", [("A", a.pk), ("B", b.pk)]
        )
    assert {changes_of("geo_grid", g.pk)[-1].actor_id for g in (a, b)} == {user_id}


# autocommit is what it checks (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_a_failed_autocommit_write_leaves_the_connection_usable(world):
    from django.db import IntegrityError

    grid = world["grids"]["A"]
    with pytest.raises(IntegrityError), audit_context(user=1):
        Grid.objects.filter(pk=grid.pk).update(community_id=-1)  # no such area (deferred FK)
    assert connection.get_autocommit() and not connection.in_atomic_block
    Grid.objects.filter(pk=grid.pk).update(name="甲")
    assert changes_of("geo_grid", grid.pk)[-1].changes == {"name": ["A", "甲"]}
