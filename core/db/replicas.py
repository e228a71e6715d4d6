"""Which database a request reads from (ADR 0031).

A GET on one of DATABASE_REPLICA_PATHS may read from a streaming replica; everything else —
writes, other paths, django-q2 workers, commands — uses the primary ("default").

Read-your-writes, as GitLab's database load balancer does it: after every write request the
primary's WAL insert position (`pg_current_wal_insert_lsn()`, at or past the commit record of
what the request wrote, also with `synchronous_commit = off`) is remembered in the shared cache
under the writer (the user, or the client's address for anonymous writes) for STICK_SECONDS.
A later routed read by that writer uses a replica only once its `pg_last_wal_replay_lsn()` has
reached that position; otherwise the primary answers.

Each web process checks each replica at most every DATABASE_REPLICA_CHECK_SECONDS: one query
there (replay position, time of the last replayed commit) and one on the primary (its flushed
WAL position). A replica that does not answer is "down" (tried again after DOWN_RETRY_SECONDS);
one that has WAL left to replay and whose last replayed commit is older than
DATABASE_REPLICA_MAX_LAG_SECONDS is "lagging". Either way the primary serves, the change is
logged once, and /healthz lists the replica's state.
"""

from __future__ import annotations

import contextvars
import logging
import random
import re
import time
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections

logger = logging.getLogger("core.db.replicas")

PRIMARY = "default"
DOWN_RETRY_SECONDS = 5.0
# a writer's position is kept well beyond the lag a replica may have and still be used
STICK_SECONDS = 60


@dataclass
class Route:
    """The database choice of one request, made at its first routed read."""

    writer: str | None
    routable: bool
    alias: str | None = None
    reason: str = ""
    deciding: bool = False
    request: object = None


_route: contextvars.ContextVar[Route | None] = contextvars.ContextVar("db_route", default=None)


@dataclass
class ReplicaState:
    state: str = "unknown"  # ok, lagging, down
    replay_lsn: int = 0
    behind_bytes: int = 0
    replay_age_s: float | None = None
    checked_at: float = 0.0
    error: str = ""
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        body = {"state": self.state, "behind_bytes": self.behind_bytes}
        if self.replay_age_s is not None and self.behind_bytes:
            body["lag_s"] = round(self.replay_age_s, 1)
        if self.error:
            body["error"] = self.error
        return body


# per process: the last check of each replica
_states: dict[str, ReplicaState] = {}


@cache
def _path_patterns(paths: tuple[str, ...]) -> list[re.Pattern]:
    return [re.compile(p) for p in paths]


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def is_routable(method: str, path: str) -> bool:
    if method not in ("GET", "HEAD") or not replicas():
        return False
    return any(p.search(path) for p in _path_patterns(tuple(settings.DATABASE_REPLICA_PATHS)))


# --- the writer's last write --------------------------------------------------------------------


def writer_key(request) -> str:
    """Whose writes a request must see: the signed-in user's, or an anonymous client's."""
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    from core.api.throttles import client_address

    return f"addr:{client_address(request)}"


def _lsn_key(writer: str) -> str:
    return f"dbrw:{writer}"


def primary_position() -> int:
    """The primary's WAL insert position, as a number of bytes."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint")
        return int(cursor.fetchone()[0])


def remember_write(request) -> None:
    """After a request that may have written: the position its reads must wait for."""
    try:
        caches["default"].set(_lsn_key(writer_key(request)), primary_position(), STICK_SECONDS)
    except Exception as exc:  # a write already done must not fail on its bookkeeping
        logger.warning("read-your-writes: could not remember a write position: %s", exc)


def last_write(writer: str) -> int | None:
    try:
        return caches["default"].get(_lsn_key(writer))
    except Exception as exc:
        # without the position the writer's reads go to the primary: stale never, slower maybe
        logger.warning("read-your-writes: could not read a write position: %s", exc)
        return -1


# --- replica health -----------------------------------------------------------------------------


def check(alias: str) -> ReplicaState:
    """Ask the replica (and the primary) now.

    Lagging: the replica has not replayed what the primary had flushed at an earlier check
    (at least DATABASE_REPLICA_CHECK_SECONDS ago, by any process: `_baseline`), and its last replayed commit
    is older than DATABASE_REPLICA_MAX_LAG_SECONDS. Comparing with the primary's position of a
    moment ago, not of now, keeps a replica a few milliseconds behind — or one whose last commit
    is old because nothing was written for a while — from counting as lagging."""
    previous = _states.get(alias)
    now = time.monotonic()
    state = ReplicaState(checked_at=now)
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(),"
                " pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8"
            )
            in_recovery, replay, age = cursor.fetchone()
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::bigint")
            flushed = int(cursor.fetchone()[0])
    except DatabaseError as exc:
        connections[alias].close()
        state.state, state.error = "down", str(exc).strip().splitlines()[0][:200]
    else:
        if not in_recovery or replay is None:
            # promoted, or not a streaming replica at all: its data may have left the primary's
            state.state, state.error = "down", "not a replica in recovery"
        else:
            state.replay_lsn = int(replay)
            state.behind_bytes = max(0, flushed - state.replay_lsn)
            state.replay_age_s = age
            reference = _baseline(alias, flushed)
            limit = settings.DATABASE_REPLICA_MAX_LAG_SECONDS
            lagging = (
                reference is not None
                and state.replay_lsn < reference[1]
                and age is not None
                and age > limit
            )
            state.state = "lagging" if lagging else "ok"
    if previous is None or previous.state != state.state:
        log = logger.info if state.state == "ok" else logger.warning
        log("replica %s: %s %s", alias, state.state, state.error or state.as_dict())
    _states[alias] = state
    return state


def _baseline(alias: str, flushed: int) -> tuple[float, int] | None:
    """The primary's flushed position at a check at least DATABASE_REPLICA_CHECK_SECONDS ago,
    shared by every process through the cache (each process alone may not have checked for a
    while); this check's position becomes the next one when the last is that old."""
    key = f"dbrep:baseline:{alias}"
    try:
        reference = caches["default"].get(key)
    except Exception:
        reference = None
    now = time.time()
    if reference is None or now - reference[0] >= settings.DATABASE_REPLICA_CHECK_SECONDS:
        try:
            caches["default"].set(key, (now, flushed), STICK_SECONDS)
        except Exception as exc:
            logger.warning("replica check: could not share the primary's position: %s", exc)
    return tuple(reference) if reference else None


def state_of(alias: str) -> ReplicaState:
    """The replica's state, checked again when the last check is old."""
    state = _states.get(alias)
    now = time.monotonic()
    wait = DOWN_RETRY_SECONDS if state and state.state == "down" else None
    wait = wait or settings.DATABASE_REPLICA_CHECK_SECONDS
    if state is None or now - state.checked_at >= wait:
        state = check(alias)
    return state


def status() -> dict:
    """For /healthz: every replica's state, checked now."""
    return {alias: check(alias).as_dict() for alias in replicas()}


def choose(needed: int | None) -> tuple[str, str]:
    """A replica that is up, not lagging and at `needed` (the writer's last write), or the
    primary, with the reason."""
    aliases = replicas()
    random.shuffle(aliases)
    reason = "no_replica"
    for alias in aliases:
        state = state_of(alias)
        if state.state != "ok":
            reason = f"replica_{state.state}"
            continue
        if needed is None or (needed >= 0 and state.replay_lsn >= needed):
            return alias, "replica"
        if needed >= 0 and time.monotonic() - state.checked_at > 0.05:
            state = check(alias)  # it may have caught up since the last check
            if state.state == "ok" and state.replay_lsn >= needed:
                return alias, "replica"
        reason = "not_replayed"
    return PRIMARY, reason


# --- the request's route ------------------------------------------------------------------------


def start(request, routable: bool) -> contextvars.Token:
    return _route.set(Route(writer=None, routable=routable, request=request))


def finish(token: contextvars.Token) -> Route | None:
    route = _route.get()
    _route.reset(token)
    return route


def current_route() -> Route | None:
    return _route.get()


def read_alias() -> str:
    """Where the current request reads: decided at its first read, once the user is known
    (the API authenticates inside the view; the token itself is always read on the primary)."""
    route = _route.get()
    if route is None or not route.routable or route.deciding:
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY  # reads inside a transaction on the primary stay there
    if route.alias is None:
        route.deciding = True
        try:
            route.writer = writer_key(route.request)
            route.alias, route.reason = choose(last_write(route.writer))
        finally:
            route.deciding = False
    return route.alias


def read_connection():
    """The connection raw SQL of a read path uses (the ORM gets it through the router)."""
    return connections[read_alias()]
