"""The guard every action table uses (appointments, cases): the state first, then the right,
then the fields the action needs — each refusal with its stable code, before anything changes.

The state comes first because who may act can depend on it (a queued appointment may be
taken by any agent of the station; once taken, by nobody else: the loser of a race gets 409).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from django.utils.translation import gettext as _

from .errors import ApplicationError, Conflict, PermissionDenied


def guard(
    *,
    action: str,
    status: str,
    from_states: Collection[str],
    allowed: Callable[[], bool],
    needs: Iterable[str],
    payload: dict,
    illegal: str,
    denied: str,
) -> None:
    """Refuse the action: 409 `illegal_transition` from a state it does not start from, 403
    `permission_denied` when `allowed()` is false, 400 `missing_<field>` for an empty needed
    field. `illegal` and `denied` are the translated messages for the object at hand."""
    if status not in from_states:
        raise Conflict("illegal_transition", illegal, details={"status": status, "action": action})
    if not allowed():
        raise PermissionDenied("permission_denied", denied)
    for name in needs:
        value = payload.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ApplicationError(
                "missing_" + name,
                _("%(field)s is required.") % {"field": name},
                details={"field": name},
            )
