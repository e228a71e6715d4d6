"""Idempotency records: the first answer to a keyed write, kept so that a retry gets it again.

One row per (requester scope, `Idempotency-Key`). The row is written `in_progress` before the
view runs and committed at once, so a concurrent duplicate sees it; it becomes `done` with the
response once the view has answered. See `idempotency/middleware.py` for the whole flow.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_MAX_LENGTH = 255


class State(models.TextChoices):
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class IdempotencyRecord(models.Model):
    # "user:<id>" for an authenticated requester, "ip:<address>" for an anonymous one
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    # SHA-256 (hex) of method, path with query, media type and the canonical body
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    # a fresh token per claim: only the request that holds it may finish or release the row, so
    # a request that outlived its stale claim cannot overwrite the one that took it over
    claim = models.UUIDField(default=uuid.uuid4)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # only the headers a replay needs (Content-Type, Location, ETag, Cache-Control)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")
        ]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_expires_at")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} ({self.state})"
