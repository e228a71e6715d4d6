"""Records a phone creates offline carry a client UUID: creating one twice yields one.

The one replay rule, for every client-UUID path (appointments, cases, visits, attachments,
positions):

- **One at a time.** `replayed` takes a transaction-scoped advisory lock on (table, client_uuid)
  before it looks, inside the transaction that inserts: concurrent sends of one UUID queue on
  the lock; the first inserts (and routes, records its event, notifies) and commits, the others
  then look in a new snapshot, find its row and return it. The lock is taken before any row
  lock of the write, so it adds no lock-order cycle. Paths that write nothing else (attachments,
  positions) insert first and look after a conflict instead (`check_replay`).
- **Whose.** Another requester's UUID is refused: 409 `client_uuid_taken`, with nothing about
  the record. Anonymous callers are all one requester here, so for them the body is the key.
- **The same body.** A replay returns the record only if its body is the one the record was
  created from: the `fingerprint` of the input (the fields the client sent, lightly normalised)
  is stored on the row. Another body is refused: 422 `client_uuid_reused` (a client bug, or a
  guessed or copied UUID), with nothing about the record. Comparing a fingerprint rather than
  the stored fields means a replay still matches after the record was edited or moved on.
  The fingerprint is keyed (HMAC with SECRET_KEY): it covers names, phones and ID numbers and
  must not let anyone with the database test guesses; rotating SECRET_KEY makes replays of
  records created before the rotation answer `client_uuid_reused`.
- **Rows from before fingerprints** (empty fingerprint) are returned to their staff owner as
  before, and never to an anonymous caller (422).

Callers decide what a replay shows (an anonymous booker sees the public view only).
Imports nothing from the apps.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .errors import ApplicationError, Conflict

FINGERPRINT_LENGTH = 64  # hex SHA-256
COORDINATE_DIGITS = 7  # degrees: ~1 cm, below any phone's precision


def fingerprint_field() -> models.CharField:
    """The column a record keeps its creation request's fingerprint in ("" before fingerprints,
    and for rows written by SQL: imports, benchmarks' synthetic data)."""
    return models.CharField(
        max_length=FINGERPRINT_LENGTH, blank=True, default="", db_default="", editable=False
    )


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a fingerprint takes aware datetimes")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, GEOSGeometry):
        return [value.srid, *(round(c, COORDINATE_DIGITS) for c in value.coords)]
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    raise TypeError(f"no canonical form for {type(value).__name__}")


def fingerprint(values) -> str:
    """The replay fingerprint of a request: a mapping of what the client sent, or an input
    dataclass (its `client_uuid` left out). Strings are compared stripped, datetimes as UTC,
    points to 7 decimals."""
    if dataclasses.is_dataclass(values) and not isinstance(values, type):
        values = {
            f.name: getattr(values, f.name)
            for f in dataclasses.fields(values)
            if f.name != "client_uuid"
        }
    canonical = json.dumps(
        _canonical(values), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return salted_hmac("core.offline.fingerprint", canonical, algorithm="sha256").hexdigest()


def reused(field: str = "client_uuid") -> ApplicationError:
    """The refusal of a known client_uuid sent with another body: it says nothing of the record."""
    return ApplicationError(
        "client_uuid_reused",
        _("This client_uuid was already sent with a different request; use a new one."),
        details={"field": field},
        status=422,
    )


def lock_client_uuid(model, client_uuid: UUID) -> None:
    """Serialise the writes of one client_uuid until the caller's transaction ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock a client_uuid inside the transaction that inserts the record")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"offline:{model._meta.db_table}:{client_uuid}"],
        )


def check_replay(existing, *, owner: str, actor, fingerprint: str, taken: str) -> None:
    """Refuse a replay of `existing` by someone else (409 `client_uuid_taken`, message `taken`)
    or with another body (422 `client_uuid_reused`). `owner` names the field holding who created
    the record; `fingerprint` is the replay's."""
    requester = getattr(actor, "pk", None)
    if getattr(existing, owner) != requester:
        raise Conflict("client_uuid_taken", taken)
    stored = existing.client_fingerprint
    if stored != fingerprint and (stored or requester is None):
        raise reused()


def replayed(model, client_uuid, *, fingerprint: str, owner: str, actor, taken: str):
    """The record already created with this client_uuid, if the same requester sent the same
    body (None: it is new — insert it in this transaction, under the lock taken here)."""
    if client_uuid is None:
        return None
    lock_client_uuid(model, client_uuid)
    existing = model._default_manager.filter(client_uuid=client_uuid).first()
    if existing is not None:
        check_replay(existing, owner=owner, actor=actor, fingerprint=fingerprint, taken=taken)
    return existing
