"""Coverage gaps kept as a table, so that gap tiles are one indexed query.

Computing gaps is expensive (the whole 100,000-grid district takes ~17 s), so they are not
computed per tile: triggers mark a community dirty when its grids or its boundary change
(`tiles/sql/tiles_*_gaps_dirty.sql`), and `gaps_refresh`, a django-q2 schedule every minute, recomputes the
communities that have been quiet for GAPS_QUIET_SECONDS — a burst of edits (a split, a
re-drawn community) costs one recomputation. The rule for what a gap is stays in
`geo.selectors.coverage_for_area`.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from geo.models import Area
from geo.selectors import coverage_for_area

from .models import Gap, GapDirty

# a community is recomputed once its grids have not changed for this long
GAPS_QUIET_SECONDS = 30
# one run stops starting new communities after this long (the q cluster's timeout is 120 s)
GAPS_RUN_BUDGET_SECONDS = 60


def gaps_refresh(*, now: datetime | None = None, quiet_seconds: int = GAPS_QUIET_SECONDS) -> int:
    """Recompute the gaps of the dirty communities that have been quiet; → how many.

    Idempotent: each community is rewritten in its own transaction, and its mark is cleared
    only if no edit marked it again meanwhile (the mark's version is compared)."""
    now = now or timezone.now()
    started = time.monotonic()
    due = GapDirty.objects.filter(dirtied_at__lte=now - timedelta(seconds=quiet_seconds))
    done = 0
    for mark in due.order_by("dirtied_at", "community_id").iterator():
        if time.monotonic() - started > GAPS_RUN_BUDGET_SECONDS:
            break
        community_gaps_refresh(community_id=mark.community_id, now=now)
        GapDirty.objects.filter(community_id=mark.community_id, version=mark.version).delete()
        done += 1
    return done


@transaction.atomic
def community_gaps_refresh(*, community_id: int, now: datetime) -> int:
    """Replace one community's gap pieces with the current ones; → how many pieces."""
    Gap.objects.filter(community_id=community_id).delete()
    community = Area.objects.filter(pk=community_id, level=Area.Level.COMMUNITY).first()
    if community is None:  # gone, or no longer a community
        return 0
    pieces = [
        Gap(community=community, geom=gap["geometry"], area_m2=gap["area_m2"], computed_at=now)
        for gap in coverage_for_area(community).gaps
        if gap["community"] == community.code
    ]
    Gap.objects.bulk_create(pieces)
    return len(pieces)
