"""Where made tiles are kept, gzip-compressed, under their key (ADR 0029).

Two backends, chosen by the deployment:

- **Redis** when `REDIS_URL` is set (the cluster layout, ADR 0030): shared by every web node,
  and a tile answered from a replica reads and stores nothing on the primary.
- **`tiles_tilecache`**, an UNLOGGED table on the primary, otherwise (`make run`): read in the
  same statement as the tile's generations (tiles/generations.py), so a cached tile costs one
  round trip after the token and the scope. A standby cannot read an UNLOGGED table, so a
  request that reads from a replica looks the tile up here in a second statement.

Keys change with the data: an entry is never stale, its expiry only bounds how long an unused
tile occupies the cache.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.utils import timezone

PRIMARY = "default"
REDIS_ALIAS = "default"


def in_table() -> bool:
    """Whether tiles are kept in the primary's UNLOGGED table (no Redis configured)."""
    return not settings.REDIS_URL


def get(key: str) -> bytes | None:
    if not in_table():
        return caches[REDIS_ALIAS].get(key)
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT data FROM tiles_tilecache WHERE key = %s AND expires > now()", [key])
        row = cursor.fetchone()
    return bytes(row[0]) if row else None


def put(key: str, data: bytes, seconds: int) -> None:
    if not in_table():
        caches[REDIS_ALIAS].set(key, data, seconds)
        return
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            "INSERT INTO tiles_tilecache (key, data, expires) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, expires = EXCLUDED.expires",
            [key, data, timezone.now() + timedelta(seconds=seconds)],
        )


def purge_expired() -> int:
    """Expired tiles out of the table (Redis expires its own)."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("DELETE FROM tiles_tilecache WHERE expires < now()")
        return cursor.rowcount
