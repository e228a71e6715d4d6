"""Records a phone creates offline carry a client UUID: creating one twice yields one."""

from __future__ import annotations

from .errors import Conflict


def replayed(qs, client_uuid, *, owner: str, actor, taken: str):
    """The record already created with this client_uuid (None: it is new). `owner` names the
    field holding who created it; another requester's client_uuid is refused (409
    `client_uuid_taken`, message `taken`)."""
    if client_uuid is None:
        return None
    existing = qs.filter(client_uuid=client_uuid).first()
    if existing is not None and getattr(existing, owner) != getattr(actor, "pk", None):
        raise Conflict("client_uuid_taken", taken)
    return existing
