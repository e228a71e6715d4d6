"""The audit trail: one row per changed row of an audited table, written by a database trigger.

Nothing in Python writes `Change` rows: the trigger `audit_record()` (`audit/sql/audit_record.sql`) does, in
the same transaction as the change, with the context that `audit.context` hands it. Another
trigger refuses every UPDATE and DELETE of this table.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class Change(models.Model):
    class Op(models.TextChoices):
        INSERT = "INSERT", _("inserted")
        UPDATE = "UPDATE", _("updated")
        DELETE = "DELETE", _("deleted")

    at = models.DateTimeField(_("at"), db_default=Now(), help_text=_("Start of the transaction."))
    table_name = models.CharField(_("table"), max_length=63)
    row_id = models.TextField(_("row"))
    op = models.CharField(_("operation"), max_length=6, choices=Op.choices)
    changes = models.JSONField(
        _("changes"),
        help_text=_(
            "INSERT: the new row; UPDATE: the changed columns as {column: [old, new]}; "
            "DELETE: the old row."
        ),
    )
    # a plain number, not a foreign key: the trail outlives users and must not block deleting one
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    txid = models.BigIntegerField(
        _("transaction"),
        db_default=models.Func(function="txid_current", output_field=models.BigIntegerField()),
    )

    class Meta:
        db_table = "audit_change"
        ordering = ["-id"]
        indexes = [models.Index(fields=["table_name", "row_id", "at"], name="audit_change_row")]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.op} {self.table_name} {self.row_id}"
