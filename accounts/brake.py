"""The brake (ADR 0024): counters of failed tries, one per subject — an account, a client
address, a tracking code — shared by every way in (API log-in, /map/login/, /admin/login/, the
tracking look-ups).

How a try goes:

    brake_reserve ──refused──▶ 429 / "locked" (nothing is checked; counts given back)
         │ allowed
         ▼
    the check (a password, the last four digits of a phone)
         │
    brake_settle(succeeded=…)
         ├─ failure: the count stays; the key locks once the window's failures reach the limit
         └─ success: reset the keys whose rule says so (the account), give the count back on
            the others (the address, a tracking code)

A try is counted *before* it is checked, by one atomic statement per key (`INSERT … ON CONFLICT
DO UPDATE SET failures = failures + 1 … RETURNING`): N parallel tries get the numbers 1…N, and
only those within the limit are checked — 25 parallel wrong passwords check at most 5. The
lock lasts `lockout_seconds` from the failure that reached the limit; tries made while locked
are refused and neither checked nor extend it. When the window (or the lock) is over, the next
try starts a new window.

Run in autocommit, as the views here do: each statement commits at once, so an error answered
for a failed try cannot roll its count back, and a row is locked for one statement only. Keys
are taken in one order (sorted), and the purge of expired rows skips locked ones, so two tries
never wait on each other in a circle.

Imports only Django, core and this app's models; the callers bring their rules.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from core.errors import ApplicationError

from .models import AttemptCounter

# expired rows deleted by each reservation (enough to keep up: a try adds at most one row a key)
PURGE_BATCH = 50


class TooManyAttempts(ApplicationError):
    """429 `too_many_attempts`, with `details.retry_after` (seconds): what callers raise when a
    reservation is refused, each with its own message."""

    status = 429


@dataclass(frozen=True)
class Rule:
    """A brake policy: `max_failures` failed tries within `window_seconds` lock the key for
    `lockout_seconds`. `name` prefixes the keys; `reset_on_success`: a success clears the
    count (an account) rather than only giving its own try back (an address, a code)."""

    name: str
    max_failures: int
    window_seconds: int
    lockout_seconds: int
    reset_on_success: bool = False


@dataclass(frozen=True)
class Slot:
    """One key's count after a reservation."""

    rule: Rule
    key: str
    failures: int
    locked_until: datetime | None
    expires_at: datetime

    @property
    def refused(self) -> bool:
        return self.locked_until is not None or self.failures > self.rule.max_failures


@dataclass(frozen=True)
class Reservation:
    slots: tuple[Slot, ...]
    now: datetime

    @property
    def refused(self) -> bool:
        return any(slot.refused for slot in self.slots)

    @property
    def retry_after(self) -> int:
        """Seconds until every refusing key frees (its lock, else its window: tries still being
        checked may lock it); 0 when allowed."""
        ends = [slot.locked_until or slot.expires_at for slot in self.slots if slot.refused]
        return max((math.ceil((end - self.now).total_seconds()) for end in ends), default=0)


def key_for(rule: Rule, subject: int | str) -> str:
    """An account by its id; anything a caller typed (a name, an address, a code) by a digest,
    so that no odd character reaches the table and no address is kept readable."""
    if isinstance(subject, int):
        return f"{rule.name}:{subject}"
    digest = hashlib.sha256(str(subject).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{rule.name}:{digest[:40]}"


def _sql() -> dict[str, str]:
    meta = AttemptCounter._meta
    table = meta.db_table
    c = {f.name: f.column for f in meta.concrete_fields}
    fresh = f"b.{c['expires_at']} <= EXCLUDED.{c['started_at']}"  # window or lock over
    return {
        "reserve": (
            f"INSERT INTO {table} AS b ({c['key']}, {c['failures']}, {c['started_at']}, "
            f"{c['locked_until']}, {c['expires_at']}) "
            "VALUES (%(key)s, 1, %(now)s, NULL, %(now)s + make_interval(secs => %(window)s)) "
            f"ON CONFLICT ({c['key']}) DO UPDATE SET "
            f"{c['failures']} = CASE WHEN {fresh} THEN 1 ELSE b.{c['failures']} + 1 END, "
            f"{c['started_at']} = CASE WHEN {fresh} THEN EXCLUDED.{c['started_at']} "
            f"ELSE b.{c['started_at']} END, "
            f"{c['locked_until']} = CASE WHEN {fresh} THEN NULL ELSE b.{c['locked_until']} END, "
            f"{c['expires_at']} = CASE WHEN {fresh} THEN EXCLUDED.{c['expires_at']} "
            f"ELSE b.{c['expires_at']} END "
            f"RETURNING {c['failures']}, {c['locked_until']}, {c['expires_at']}"
        ),
        # the failure that reaches the limit locks the key, from now, once
        "lock": (
            f"UPDATE {table} SET {c['locked_until']} = %(until)s, {c['expires_at']} = %(until)s "
            f"WHERE {c['key']} = %(key)s AND {c['locked_until']} IS NULL "
            f"AND {c['failures']} >= %(max)s AND {c['expires_at']} > %(now)s"
        ),
        "give_back": (
            f"UPDATE {table} SET {c['failures']} = {c['failures']} - 1 "
            f"WHERE {c['key']} = %(key)s AND {c['failures']} > 0 AND {c['locked_until']} IS NULL"
        ),
        "reset": f"DELETE FROM {table} WHERE {c['key']} = %(key)s",
        "purge": (
            f"DELETE FROM {table} WHERE {c['key']} IN (SELECT {c['key']} FROM {table} "
            f"WHERE {c['expires_at']} < %(now)s ORDER BY {c['expires_at']} "
            f"LIMIT {PURGE_BATCH} FOR UPDATE SKIP LOCKED)"
        ),
    }


def brake_reserve(
    *, checks: Iterable[tuple[Rule, int | str]], now: datetime | None = None
) -> Reservation:
    """Count a try on every key before it is checked. A refused reservation has given its
    counts back on the keys that did not refuse (a try that was never checked must not lock
    an account from a locked address, nor an address from a locked account)."""
    now = now or timezone.now()
    sql = _sql()
    keyed = sorted(((key_for(rule, subject), rule) for rule, subject in checks), key=lambda k: k[0])
    slots = []
    with connection.cursor() as cursor:
        for key, rule in keyed:
            cursor.execute(sql["reserve"], {"key": key, "now": now, "window": rule.window_seconds})
            failures, locked_until, expires_at = cursor.fetchone()
            slots.append(Slot(rule, key, failures, locked_until, expires_at))
        cursor.execute(sql["purge"], {"now": now})
    reservation = Reservation(tuple(slots), now)
    if reservation.refused:
        _give_back([slot for slot in slots if not slot.refused])
    return reservation


def brake_settle(*, reservation: Reservation, succeeded: bool) -> None:
    """After the check of an allowed try: a failure stays counted (and locks a key that has
    reached its limit); a success resets or gives back, as each key's rule says."""
    if reservation.refused:
        return
    sql = _sql()
    with connection.cursor() as cursor:
        for slot in reservation.slots:
            if succeeded and slot.rule.reset_on_success:
                cursor.execute(sql["reset"], {"key": slot.key})
            elif not succeeded:  # the row's count decides: tries checked in parallel count too
                until = reservation.now + timedelta(seconds=slot.rule.lockout_seconds)
                cursor.execute(
                    sql["lock"],
                    {
                        "key": slot.key,
                        "until": until,
                        "max": slot.rule.max_failures,
                        "now": reservation.now,
                    },
                )
    if succeeded:
        _give_back([slot for slot in reservation.slots if not slot.rule.reset_on_success])


def _give_back(slots: list[Slot]) -> None:
    if not slots:
        return
    with connection.cursor() as cursor:
        for slot in slots:
            cursor.execute(_sql()["give_back"], {"key": slot.key})
