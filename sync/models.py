"""The change log the field app catches up from (`GET /api/v1/sync/?since=`).

Database triggers (migration 0002) write one row per changed record of the synced tables, in
the writer's transaction, with the writer's transaction id and hints of who may care (staff,
areas, users — before and after the change). See `sync/log.py` for how a cursor is read
without losing transactions that commit out of order.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Change(models.Model):
    id = models.BigAutoField(primary_key=True)
    txid = models.BigIntegerField(help_text="The writing transaction (pg_current_xact_id).")
    entity = models.CharField(max_length=20)
    entity_id = models.BigIntegerField()
    op = models.CharField(max_length=6)  # upsert | delete
    staff_ids = ArrayField(models.BigIntegerField(), default=list)
    area_ids = ArrayField(models.BigIntegerField(), default=list)
    user_ids = ArrayField(models.BigIntegerField(), default=list)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["txid", "id"], name="sync_change_cursor"),
            models.Index(fields=["at"], name="sync_change_at"),
        ]

    def __str__(self) -> str:
        return f"{self.txid}.{self.id} {self.op} {self.entity} {self.entity_id}"


class Retention(models.Model):
    """One row: rows below this transaction id were purged; older cursors must resync."""

    purged_below = models.BigIntegerField(default=0)
    purged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"purged below {self.purged_below}"
