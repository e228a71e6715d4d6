"""Who caused a database write, handed to the audit triggers (audit/migrations/0002_triggers.py).

The triggers run inside PostgreSQL and see no Python. So before every INSERT, UPDATE or DELETE
statement that names an audited table, `record_context` (an execute wrapper on every database
connection) sends the current context as JSON in one separate statement,
`SELECT set_config('audit.context', …, true)`, on the same cursor; the trigger reads it back
with `current_setting('audit.context', true)`. It sends '' when there is no context, so what
an earlier write in the same transaction set never reaches this one.

Why not django-pghistory: it prepends `SELECT set_config(…);` to the write as a second statement
in one query string, which psycopg 3 with server-side binding refuses (docs/adr/0008).

The setting is transaction-local, and a write made in autocommit mode is wrapped in a
transaction of its own with it: a session-level setting would outlive the write on a persistent
connection, and behind a transaction-mode pooler (pgbouncer, see DB_PREPARE_THRESHOLD in
settings) two autocommit statements need not even reach the same server session, so the write
could read another client's context. Inside `transaction.atomic` it costs one round trip per
audited write statement; in autocommit mode also the BEGIN and COMMIT.

The context is a contextvar: the request middleware (`audit.middleware`) sets it per request
and resolves the user only at write time, because DRF authenticates tokens inside the view;
django-q2's worker signals set `{"task": …}` for a task's run; `audit_context(**values)` adds
or overrides values for a block (a management command, a script).

This module runs on every query: it must stay cheap and never import app models.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest

# Every table with the `audit_record` trigger. One list: the migration that attaches the
# triggers names the same tables, and tests/audit checks the database against this tuple.
AUDITED_TABLES = (
    "appointments_appointment",
    "cases_case",
    "cases_registerentry",
    "geo_grid",
    "geo_gridboundary",
    "geo_gridproposal",
    "people_gridassignment",
)

SET_CONTEXT_SQL = "SELECT set_config('audit.context', %s, true)"

# "cases_case" must not match "cases_caseevent": \b needs a non-word character after the name
_AUDITED = re.compile(r"\b(?:" + "|".join(AUDITED_TABLES) + r")\b")
# any statement that can write (CTEs with INSERT/UPDATE/DELETE too); a SELECT … FOR UPDATE of an
# audited table matches as well and costs one needless round trip, which is harmless
_WRITES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    """What the trigger records besides the row: `user`, `request_id`, and the rest as context.

    With a request, the user is read from it when a write happens, not when the request starts:
    DRF's token authentication sets `request.user` (through `Request._request.user`) only inside
    the view.
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    request: HttpRequest | None = None

    def resolved(self) -> dict[str, Any]:
        values = dict(self.values)
        if self.request is not None and "user" not in values:
            values["user"] = _user_id(self.request)
        return values

    def as_json(self) -> str:
        return json.dumps(self.resolved(), default=str, ensure_ascii=False, separators=(",", ":"))


_current: ContextVar[Context | None] = ContextVar("audit_context", default=None)


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk


def current_context() -> dict[str, Any] | None:
    """The context a write made now would be recorded with (None: no context)."""
    context = _current.get()
    return None if context is None else context.resolved()


@contextmanager
def audit_context(**values: Any) -> Iterator[None]:
    """Writes inside the block are recorded with these values, laid over the current context.

    `user` (a user id) is the actor; `request_id` is kept in its own column; anything else
    (`task`, `command`, `reason`…) goes into the change's `context`.
    """
    outer = _current.get() or Context()
    token = _current.set(Context({**outer.values, **values}, outer.request))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def request_context(request: HttpRequest, **values: Any) -> Iterator[None]:
    """The context of one HTTP request: the user is resolved from `request` at each write."""
    token = _current.set(Context(values, request))
    try:
        yield
    finally:
        _current.reset(token)


def is_audited_write(sql: str) -> bool:
    return bool(_AUDITED.search(sql)) and bool(_WRITES.search(sql))


def record_context(execute, sql, params, many, context):
    """Execute wrapper: a write to an audited table runs in a transaction that knows who writes."""
    if not (isinstance(sql, str) and is_audited_write(sql)):
        return execute(sql, params, many, context)
    connection = context["connection"]
    if connection.get_autocommit():
        with transaction.atomic(using=connection.alias):
            _send_context(connection, context["cursor"])
            return execute(sql, params, many, context)
    _send_context(connection, context["cursor"])
    return execute(sql, params, many, context)


def _send_context(connection, cursor) -> None:
    current = _current.get()
    # as Django does before its own statements: a broken transaction fails loudly there
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor.cursor.execute(SET_CONTEXT_SQL, [current.as_json() if current else ""])


def install(*, connection, **kwargs) -> None:
    """`connection_created` receiver: every connection gets the wrapper, once."""
    if record_context not in connection.execute_wrappers:
        connection.execute_wrappers.append(record_context)


# --- django-q2 tasks -------------------------------------------------------------------------
# pre_execute and post_execute_in_worker are both sent in the worker process around each task
# (post_execute proper is sent by the monitor, another process). The tokens wait on a
# per-thread stack so that a task run synchronously inside a request restores its context.
_tasks = threading.local()


def task_started(*, func, task, **kwargs) -> None:
    from django_q.utils import get_func_repr

    name = get_func_repr(func) if func is not None else str(task.get("func"))
    token = _current.set(Context({"task": name, "task_id": task.get("id")}))
    _task_tokens().append(token)


def task_finished(*, task, **kwargs) -> None:
    tokens = _task_tokens()
    if tokens:
        _current.reset(tokens.pop())


def _task_tokens() -> list[Token]:
    if not hasattr(_tasks, "tokens"):
        _tasks.tokens = []
    return _tasks.tokens
