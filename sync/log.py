"""Reading the change log by cursor without losing out-of-order commits.

A sequence number or a timestamp is handed out when a row is written, not when its transaction
commits: transaction A may write row 103 and commit after B wrote and committed row 105. A
reader that saw 105 and kept "105" as its cursor would never see 103. So every row carries its
writer's transaction id, and a read returns only rows of transactions below the reading
snapshot's horizon (`sync_horizon()`: the snapshot's xmin, `pg_snapshot_xmin`, leaving out
transactions of other databases of the cluster): every transaction of this database below it
has finished, so no row can still appear below it. Rows of transactions still running wait for a
later read — a delay, never a loss. The cursor is (txid, id) of the last row returned, or
(xmin, 0) when the caller has caught up; rows are returned in (txid, id) order.

A cursor below the retention watermark (rows purged) answers `resync_required`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db.replicas import read_connection
from core.errors import ApplicationError

from .models import Change, Retention

VERSION = "v1"


@dataclass(frozen=True)
class Cursor:
    txid: int
    id: int

    def __str__(self) -> str:
        return f"{VERSION}-{self.txid}-{self.id}"

    @classmethod
    def parse(cls, raw: str) -> Cursor:
        parts = (raw or "").split("-")
        if len(parts) != 3 or parts[0] != VERSION or not all(p.isdigit() for p in parts[1:]):
            raise ApplicationError(
                "invalid_cursor",
                _("That is not a sync cursor; start again without one."),
                details={"field": "since"},
            )
        return cls(int(parts[1]), int(parts[2]))


def current() -> Cursor:
    """A cursor at 'now': everything that will commit from here on comes after it."""
    with read_connection().cursor() as cursor:  # a replica's horizon on a routed GET (ADR 0031)
        cursor.execute("SELECT sync_horizon()")
        return Cursor(cursor.fetchone()[0], 0)


@dataclass
class Page:
    rows: list[tuple]  # (id, txid, entity, entity_id, op)
    cursor: Cursor
    more: bool


RELEVANT = """
    (%(everything)s OR staff_ids && %(staff)s::bigint[] OR area_ids && %(areas)s::bigint[]
     OR user_ids && %(users)s::bigint[])
"""


def read(since: Cursor, *, staff_ids, area_ids, user_ids, everything: bool, limit: int) -> Page:
    watermark = Retention.objects.values_list("purged_below", flat=True).first() or 0
    if since.txid < watermark:
        raise ApplicationError(
            "resync_required",
            _("The change log no longer reaches back to this cursor: sync from scratch."),
            status=410,
        )
    # on a replica (a routed GET, ADR 0031) the horizon is the replica's: rows it has not
    # replayed are past it, and come at the next read
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"""
            WITH snap AS (SELECT sync_horizon() AS xmin)
            SELECT c.id, c.txid, c.entity, c.entity_id, c.op, snap.xmin
            FROM snap LEFT JOIN sync_change c
              ON (c.txid, c.id) > (%(txid)s, %(id)s) AND c.txid < snap.xmin AND {RELEVANT}
            ORDER BY c.txid, c.id
            LIMIT %(limit)s
            """,
            {
                "txid": since.txid,
                "id": since.id,
                "everything": everything,
                "staff": list(staff_ids),
                "areas": list(area_ids),
                "users": list(user_ids),
                "limit": limit + 1,
            },
        )
        fetched = cursor.fetchall()
    xmin = fetched[0][5]
    rows = [r[:5] for r in fetched if r[0] is not None]
    more = len(rows) > limit
    rows = rows[:limit]
    if more:
        cursor_out = Cursor(rows[-1][1], rows[-1][0])
    else:
        # caught up: the next read starts at xmin (never behind the caller's own cursor)
        cursor_out = max(Cursor(xmin, 0), since, key=lambda c: (c.txid, c.id))
    return Page(rows, cursor_out, more)


def purge(now=None) -> int:
    """Drop rows older than the retention and raise the watermark past them."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SYNC["RETENTION_DAYS"])
    with transaction.atomic():
        retention = Retention.objects.select_for_update().get(pk=1)
        old = Change.objects.filter(at__lt=cutoff)
        highest = old.order_by("-txid").values_list("txid", flat=True).first()
        if highest is None:
            return 0
        deleted, _counts = old.delete()
        retention.purged_below = max(retention.purged_below, highest + 1)
        retention.purged_at = now
        retention.save()
        return deleted
