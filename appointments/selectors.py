"""Reads of appointments: lists always from the requester's scope; each agent's open work.

Imports only `people` and this app's models; must never import a writing module."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from people.scope import scope_for

from .models import Appointment


def appointments_for(user) -> QuerySet:
    """Administrators, district staff and supervisors see all; managers what lies in, waits in
    or is with an agent of their area; an agent what is with them or what they entered."""
    qs = Appointment.objects.select_related(
        "agent", "grid", "queue_centre__area", "service_item", "item_version"
    )
    if user is None or not user.is_authenticated:
        return qs.none()
    scope = scope_for(user)
    if scope.everything:
        return qs
    visible = Q(pk__in=[])
    if scope.managed_area_ids:
        areas = list(scope.managed_area_ids)
        visible |= (
            Q(grid__community_id__in=areas)
            | Q(queue_centre__area_id__in=areas)
            | Q(agent__centre__area_id__in=areas)
        )
    if scope.staff is not None:
        visible |= Q(agent=scope.staff) | Q(created_by=user)
    return qs.filter(visible)


def open_work(staff_ids) -> dict[int, int]:
    """Each agent's open work as the cap counts it (SQL function open_work: appointments without
    a case yet plus open cases), for agents already locked by the caller."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, o.load FROM unnest(%s::bigint[]) AS id "
            "CROSS JOIN LATERAL open_work_of(id) o",  # inlined: planned with the statement
            [list(staff_ids)],
        )
        return dict(cursor.fetchall())
