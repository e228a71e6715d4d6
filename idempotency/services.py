"""Claiming, finishing, releasing and purging idempotency records.

The claim runs on its own in autocommit mode (the middleware calls it before the view's
transaction), so a concurrent duplicate sees it at once; finishing runs inside the view's
transaction (the response is kept exactly when the view's writes commit). Nothing
here knows about HTTP beyond a status code, a few headers and body bytes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import IdempotencyRecord, State


def _setting(name: str):
    return settings.IDEMPOTENCY[name]


@dataclass(frozen=True)
class Claim:
    """The right to run the request once: held by the request that wrote the record."""

    record_id: int
    token: uuid.UUID


@dataclass(frozen=True)
class Existing:
    """What another request with the same key left: in progress, or done with its response."""

    fingerprint: str
    state: str
    status: int | None
    headers: dict
    body: bytes | None


# The claimant's liveness: a session-level advisory lock (LOCK_SPACE, record id) held by the
# request that claimed a record until it finishes or releases it. PostgreSQL frees it with the
# session when the worker dies, so an `in_progress` record whose lock can be taken belongs to
# nobody. (Ids wrap at 2^31: a collision only makes a dead claim look alive until it is stale.)
LOCK_SPACE = 0x1DE7


def _lock(record_id: int, take: bool) -> None:
    with connection.cursor() as cursor:
        function = "pg_advisory_lock" if take else "pg_advisory_unlock"
        cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_SPACE, _lock_id(record_id)])


def _lock_id(record_id: int) -> int:
    return ((record_id + 2**31) % 2**32) - 2**31


def _claim_sql() -> str:
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    # A new key inserts. An existing key is taken over only when its record has expired (the
    # purge has not run yet) or is an abandoned claim of the same request (its worker died:
    # nothing finishes or releases it); otherwise nothing is written and no row comes back.
    # ON CONFLICT … DO UPDATE … WHERE locks the existing row, so two requests racing to take
    # over one record cannot both win: the second re-checks the condition on the updated row.
    return f"""
        INSERT INTO {table} AS r
            (scope, key, method, path, fingerprint, state, claim,
             response_status, response_headers, response_body, created_at, expires_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, '{{}}'::jsonb, NULL, %s, %s)
        ON CONFLICT (scope, key) DO UPDATE SET
            method = EXCLUDED.method, path = EXCLUDED.path, fingerprint = EXCLUDED.fingerprint,
            state = EXCLUDED.state, claim = EXCLUDED.claim, response_status = NULL,
            response_headers = '{{}}'::jsonb, response_body = NULL,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE r.expires_at <= EXCLUDED.created_at
           OR (r.state = %s AND r.fingerprint = EXCLUDED.fingerprint
               AND (r.created_at <= %s OR (
                   -- its claimant's lock is free: not held here (re-entrant), nor elsewhere
                   NOT EXISTS (
                       SELECT 1 FROM pg_locks l
                       WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid()
                         AND l.classid = {LOCK_SPACE} AND l.objsubid = 2
                         AND l.objid::bigint = r.id %% 4294967296)
                   AND pg_try_advisory_xact_lock(
                       {LOCK_SPACE}, ((r.id + 2147483648) %% 4294967296 - 2147483648)::int4))))
        RETURNING r.id
    """


def record_claim(
    *,
    scope: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    now: datetime | None = None,
) -> Claim | Existing | None:
    """Claim `key` for this request, or return what a request with the same key left.

    None: the record vanished between the two statements (its request failed and released it)
    and the caller may simply try again.
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    expires_at = now + timedelta(hours=_setting("TTL_HOURS"))
    stale_before = now - timedelta(seconds=_setting("STALE_AFTER_SECONDS"))
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(),
            [
                scope,
                key,
                method,
                path[:500],
                fingerprint,
                State.IN_PROGRESS,
                token,
                now,
                expires_at,
                State.IN_PROGRESS,
                stale_before,
            ],
        )
        row = cursor.fetchone()
    if row is not None:
        _lock(row[0], take=True)
        return Claim(record_id=row[0], token=token)
    existing = (
        IdempotencyRecord.objects.filter(scope=scope, key=key, expires_at__gt=now)
        .values_list("fingerprint", "state", "response_status", "response_headers", "response_body")
        .first()
    )
    if existing is None:
        return None
    fingerprint_, state, status, headers, body = existing
    return Existing(
        fingerprint=fingerprint_,
        state=state,
        status=status,
        headers=headers,
        body=bytes(body) if body is not None else None,
    )


def record_finish(*, claim: Claim, status: int, headers: dict[str, str], body: bytes) -> bool:
    """Keep the response for replays. False: the claim was lost (taken over as stale)."""
    kept = bool(
        IdempotencyRecord.objects.filter(pk=claim.record_id, claim=claim.token).update(
            state=State.DONE, response_status=status, response_headers=headers, response_body=body
        )
    )
    # a session lock outlives the transaction this may run in: if that rolls back, the record is
    # `in_progress` with no lock — taken over by the retry, as it should be
    _lock(claim.record_id, take=False)
    return kept


def record_release(*, claim: Claim) -> None:
    """Forget the claim: the request failed in a way a retry may cure (5xx, throttled, …)."""
    IdempotencyRecord.objects.filter(pk=claim.record_id, claim=claim.token).delete()
    _lock(claim.record_id, take=False)


def records_purge(*, now: datetime | None = None) -> int:
    """Delete expired records (they are ignored already; this keeps the table small)."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
