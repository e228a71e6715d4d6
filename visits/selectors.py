"""Reads of visits, from the requester's scope: the agent's own, their managers', and
everyone's for the district-wide read roles."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from people.scope import scope_for

from .models import Visit


def visits_for(user) -> QuerySet:
    qs = Visit.objects.select_related("agent__centre__area", "appointment", "case")
    if user is None or not user.is_authenticated:
        return qs.none()
    scope = scope_for(user)
    if scope.everything:
        return qs
    visible = Q(agent__centre__area_id__in=scope.managed_area_ids)
    if scope.staff is not None:
        visible |= Q(agent=scope.staff)
    return qs.filter(visible)
