"""Reads of the catalogue."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ServiceItemVersion


def current_versions() -> QuerySet:
    """The current version of every active item (one DISTINCT ON query)."""
    return (
        ServiceItemVersion.objects.filter(item__active=True)
        .select_related("item", "window__centre__area")
        .order_by("item_id", "-version")
        .distinct("item_id")
    )


def centre_item_versions(centre) -> QuerySet:
    """Current versions of the items a centre proxies, by code."""
    ids = current_versions().filter(item__centres=centre).values("pk")
    return (
        ServiceItemVersion.objects.filter(pk__in=ids).select_related("item").order_by("item__code")
    )
