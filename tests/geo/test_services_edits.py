"""geo.services edits: revisions under the row lock, the hooks run in the edit's transaction
(people ends and carries assignments, appointments re-routes), whatever the caller."""

from datetime import timedelta

import pytest
from django.utils import timezone

from geo import hooks, services
from geo.models import Grid
from people.models import GridAssignment
from tests.geo.helpers import lonlat, rect

pytestmark = pytest.mark.django_db


def test_each_edit_counts_one_revision_and_a_stale_one_is_refused(world):
    a = world["grids"]["A"]
    services.grid_update(grid=a, name="甲", expected_revision=1)
    services.grid_update(grid=a, name="甲")  # no change, no revision
    assert Grid.objects.get(pk=a.pk).revision == 2
    with pytest.raises(services.VersionMismatch) as refused:
        services.grid_update(grid=a, boundary=rect(0, 0, 400, 1000), expected_revision=1)
    assert refused.value.status == 412
    assert refused.value.details == {
        "grid": "A",
        "expected_version": 1,
        "current_version": 2,
        "etag": '"2"',
    }
    services.grid_retire(grid=a, reason="x", expected_revision=2)
    assert Grid.objects.get(pk=a.pk).revision == 3


def test_without_an_actor_assignments_still_end_with_the_grid(world):
    """The import command and the admin edit grids too: the same hooks run."""
    b = world["grids"]["B"]
    future = GridAssignment.objects.create(
        grid=b,
        staff=world["people"]["agent2"],
        kind="backup",
        valid_from=timezone.localdate() + timedelta(days=10),
    )
    report = hooks.EditReport()
    services.grid_retire(grid=b, reason="x", report=report)
    assert report.assignments_ended == 2
    future.refresh_from_db()
    # one that had not started ends the day after it starts (an assignment lasts a day at least)
    assert future.valid_to == future.valid_from + timedelta(days=1)
    running = GridAssignment.objects.get(grid=b, staff=world["people"]["agent1"])
    assert running.valid_to == timezone.localdate() and running.end_reason == "grid retire"


def test_split_along_a_line_in_the_service(world):
    a = world["grids"]["A"]
    from django.contrib.gis.geos import LineString

    cut = LineString([lonlat(-10, 300), lonlat(510, 300)], srid=4326)
    pieces = services.grid_split_preview(grid=a, line=cut)
    assert [round(p.area_m2, -3) for p in pieces] == [350_000, 150_000]
    created = services.grid_split_along_line(grid=a, line=cut)
    assert [g.name for g in created] == ["A 1", "A 2"]
    assert created[0].boundary.area > created[1].boundary.area
    with pytest.raises(services.Conflict):
        services.grid_split_preview(grid=Grid.objects.get(code="A"), line=cut)


def test_without_hooks_the_core_edits_alone(world, settings):
    settings.GEO_EDIT_HOOKS = []
    hooks._hooks.cache_clear()
    try:
        report = hooks.EditReport()
        services.grid_retire(grid=world["grids"]["A"], reason="x", report=report)
        assert report.as_members()["assignments_ended"] == 0
        assert GridAssignment.objects.filter(grid__code="A", valid_to__isnull=True).exists()
    finally:
        hooks._hooks.cache_clear()
