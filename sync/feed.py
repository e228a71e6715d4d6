"""What one requester gets from a page of the change log: for each changed record, its current
state if they may see it now, else a tombstone (deleted, or left their scope: handed to another
agent, unassigned…). Visibility is always decided by each app's own scoped selector."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from appointments.api.serializers import AppointmentSerializer
from appointments.selectors import appointments_for
from cases.api.serializers import CaseEventSerializer, CaseSerializer
from cases.deadlines import light_sql, today
from cases.models import CaseEvent
from cases.selectors import cases_for
from geo.api.serializers import GridFeatureSerializer
from geo.models import Grid
from notifications.api import NotificationSerializer
from notifications.models import Notification
from people.api.serializers import AssignmentSerializer
from people.models import GridAssignment
from people.scope import scope_for
from visits.api.serializers import VisitSerializer
from visits.selectors import visits_for

from . import log


@dataclass(frozen=True)
class Entity:
    visible: Callable[[Any], QuerySet]  # user → the records they may see
    serializer: type
    context: Callable[[Any], dict] = lambda user: {}


def _events(user) -> QuerySet:
    return CaseEvent.objects.filter(case__in=cases_for(user).values("pk")).select_related(
        "actor", "case"
    )


def _grids(user) -> QuerySet:
    return scope_for(user).grids(
        Grid.objects.select_related("community").annotate(version=Max("boundaries__version"))
    )


def _assignments(user) -> QuerySet:
    scope = scope_for(user)
    visible = Q(grid__in=scope.grids(Grid.objects.all()))
    if scope.staff is not None:
        visible |= Q(staff=scope.staff)
    return GridAssignment.objects.filter(visible).select_related("grid", "staff")


ENTITIES: dict[str, Entity] = {
    "appointment": Entity(
        appointments_for, AppointmentSerializer, lambda user: {"staff_view": True}
    ),
    "case": Entity(lambda user: cases_for(user).annotate(light=light_sql(today())), CaseSerializer),
    "case_event": Entity(_events, CaseEventSerializer),
    "visit": Entity(visits_for, VisitSerializer),
    "grid": Entity(_grids, GridFeatureSerializer),
    "assignment": Entity(
        _assignments, AssignmentSerializer, lambda user: {"today": timezone.localdate()}
    ),
    "notification": Entity(
        lambda user: Notification.objects.filter(recipient=user), NotificationSerializer
    ),
}


def audience(user) -> dict:
    """The hints a change must match to concern this requester (sync/sqlgen.py): an area hint
    names the areas whose managers see the record, so it is matched against the areas this
    requester manages and nothing else — working at a station, or looking after a grid of a
    community, does not make an agent see their colleagues' records (they get them through
    their own staff and user hints)."""
    scope = scope_for(user)
    return {
        "everything": scope.everything,
        "staff_ids": [scope.staff.pk] if scope.staff is not None else [],
        "area_ids": sorted(scope.managed_area_ids),
        "user_ids": [user.pk],
    }


def changes_since(user, since: log.Cursor, *, limit: int, crs: str) -> dict:
    page = log.read(since, limit=limit, **audience(user))
    latest: dict[tuple[str, int], str] = {}
    for _id, _txid, entity, entity_id, op in page.rows:  # the last change of a record wins
        latest.pop((entity, entity_id), None)
        latest[(entity, entity_id)] = op
    by_entity: dict[str, list[int]] = {}
    for (entity, entity_id), op in latest.items():
        if op == "upsert" and entity in ENTITIES:
            by_entity.setdefault(entity, []).append(entity_id)
    current: dict[tuple[str, int], dict] = {}
    for entity, ids in by_entity.items():
        spec = ENTITIES[entity]
        rows = spec.visible(user).filter(pk__in=ids)
        context = {"crs": crs, **spec.context(user)}
        for row in rows:
            current[(entity, row.pk)] = spec.serializer(row, context=context).data
    changes = []
    for (entity, entity_id), _op in latest.items():
        data = current.get((entity, entity_id))
        if data is not None:
            changes.append({"entity": entity, "id": entity_id, "op": "upsert", "data": data})
        else:
            changes.append({"entity": entity, "id": entity_id, "op": "delete", "data": None})
    return {"cursor": str(page.cursor), "more": page.more, "changes": changes}
