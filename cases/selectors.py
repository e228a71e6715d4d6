"""Reads of cases, always from the requester's scope (`cases.access`)."""

from __future__ import annotations

from django.db.models import QuerySet

from .access import visible_cases
from .models import Case, RegisterEntry


def cases_for(user) -> QuerySet:
    return visible_cases(
        user,
        Case.objects.select_related(
            "centre__area", "responsible", "service_item", "item_version", "window"
        ),
    )


def register_for(user) -> QuerySet:
    """Register entries of the cases the requester sees; a street/town centre also sees the
    copies sent to it (its queue of stations' registrations)."""
    return RegisterEntry.objects.filter(case__in=cases_for(user).values("pk")).select_related(
        "centre__area", "street_centre__area", "case"
    )
