"""Coverage gaps: marked dirty by triggers when grids change, recomputed by the debounced
refresh, served as tiles from the table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from geo import services as geo_services
from tests.factories import client_for
from tests.geo.helpers import rect
from tests.tiles.conftest import WORLD_TILE, decode, tile_url
from tiles.gaps import GAPS_QUIET_SECONDS, gaps_refresh
from tiles.models import Gap, GapDirty

pytestmark = pytest.mark.django_db


def shrink_c(world):
    """Grid C gives up the eastern half of 二村: 500 m × 1000 m nobody covers."""
    geo_services.grid_update(grid=world["grids"]["C"], boundary=rect(1000, 0, 1500, 1000))


def test_grid_changes_mark_their_community_dirty(world):
    c1, c2 = world["tree"]["c1"], world["tree"]["c2"]
    assert set(GapDirty.objects.values_list("community_id", flat=True)) == {c1.pk, c2.pk}
    GapDirty.objects.all().delete()
    shrink_c(world)
    mark = GapDirty.objects.get()
    assert mark.community_id == c2.pk
    shrink_c(world)  # edited again: the same mark, a newer version
    assert GapDirty.objects.get().version > mark.version


def test_refresh_waits_until_the_community_has_been_quiet(world):
    shrink_c(world)
    now = timezone.now()
    assert gaps_refresh(now=now) == 0
    assert Gap.objects.count() == 0
    assert gaps_refresh(now=now + timedelta(seconds=GAPS_QUIET_SECONDS + 1)) == 2
    gap = Gap.objects.get()
    assert gap.community == world["tree"]["c2"]
    assert gap.area_m2 == pytest.approx(500_000, rel=0.01)
    assert not GapDirty.objects.exists()
    assert gaps_refresh(now=now + timedelta(minutes=5)) == 0  # nothing left to do


def test_refresh_keeps_a_mark_set_again_meanwhile(world, monkeypatch):
    from tiles import gaps

    later = timezone.now() + timedelta(minutes=5)
    real = gaps.community_gaps_refresh

    def edit_during_refresh(*, community_id, now):
        count = real(community_id=community_id, now=now)
        if community_id == world["tree"]["c2"].pk:
            shrink_c(world)  # an edit lands while the refresh runs
        return count

    monkeypatch.setattr(gaps, "community_gaps_refresh", edit_during_refresh)
    gaps_refresh(now=later)
    assert list(GapDirty.objects.values_list("community_id", flat=True)) == [world["tree"]["c2"].pk]


# each write commits (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_gap_tiles_show_the_refreshed_gaps_in_scope(world):
    """Committed for real: the refresh's writes bump the gaps generation past the cached
    empty tile (one test transaction would bump each source once only)."""
    p = world["people"]
    url = tile_url("gaps", *WORLD_TILE)
    gaps_refresh(now=timezone.now() + timedelta(minutes=5))
    assert client_for(p["district"]).get(url).status_code == 204  # fully covered

    shrink_c(world)
    gaps_refresh(now=timezone.now() + timedelta(minutes=5))
    features = decode(client_for(p["district"]).get(url))["gaps"]
    assert len(features) == 1
    assert features[0]["community"] == "210000001002"
    assert features[0]["name"] == "二村"
    assert features[0]["area_m2"] == pytest.approx(500_000, rel=0.01)
    assert client_for(p["manager1"]).get(url).status_code == 204  # 二村 is not theirs
    assert len(decode(client_for(p["manager2"]).get(url))["gaps"]) == 1
