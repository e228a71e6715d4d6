"""Vector tiles: data generations for cache keys, and the coverage-gap table tiles are cut from.

A tile is cached under the generations of the data it shows. Triggers on the source tables
(`tiles/sql/tiles_bump.sql`) record each writing transaction once per source in `GenerationBump`; a
source's generation is the number of such transactions (with the newest bump id), so it
changes when any of them commits, whatever the commit order. `Generation` keeps the count of
bumps already compacted away (tasks.generations_compact). Nothing here is edited by hand.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex

from geo.models import Area


class Source(models.TextChoices):
    AREAS = "areas"  # geo_area
    GRIDS = "grids"  # geo_grid, geo_gridboundary, people_gridassignment
    STAFF = "staff"  # people_staff: the roster (active, roles, centre, name)
    POSITIONS = "positions"  # people_staff: last known positions
    WORK = "work"  # appointments_appointment, cases_case
    GAPS = "gaps"  # tiles_gap


class Generation(models.Model):
    """Per source: bumps compacted so far and the newest compacted bump id."""

    source = models.CharField(max_length=16, primary_key=True, choices=Source.choices)
    compacted = models.BigIntegerField(default=0)
    last_bump = models.BigIntegerField(default=0)


class GenerationBump(models.Model):
    """One writing transaction that touched a source (at most one row per transaction)."""

    source = models.CharField(max_length=16, choices=Source.choices)
    txid = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "txid"], name="tiles_bump_once_per_txn")
        ]


class Gap(models.Model):
    """A piece of a community that no active grid covers, as `geo.selectors.coverage_for_area`
    finds it. Derived data, rewritten per community by `gaps.gaps_refresh`."""

    community = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    geom = models.PolygonField(srid=4326)
    area_m2 = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [GistIndex(fields=["geom"], name="tiles_gap_geom_gist")]


class GapDirty(models.Model):
    """A community whose gaps must be recomputed: marked by triggers on grids and areas.
    `version` grows with each mark, so a refresh clears only the mark it has seen."""

    community_id = models.BigIntegerField(primary_key=True)
    dirtied_at = models.DateTimeField()
    version = models.BigIntegerField(default=1)


class CellBump(models.Model):
    """One writing transaction that touched a source within one zoom-16 cell (`tiles/cells.py`):
    at most one row per transaction, source and cell. Tiles read the bumps of the cells their
    envelope covers, so a write invalidates only the tiles over what it changed."""

    source = models.CharField(max_length=16, choices=Source.choices)
    x = models.IntegerField()
    y = models.IntegerField()
    txid = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "x", "y", "txid"], name="tiles_cellbump_once_per_txn"
            )
        ]


class CellGeneration(models.Model):
    """Per source and cell: bumps compacted so far and the newest compacted bump id."""

    source = models.CharField(max_length=16, choices=Source.choices)
    x = models.IntegerField()
    y = models.IntegerField()
    compacted = models.BigIntegerField(default=0)
    last_bump = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "x", "y"], name="tiles_cellgeneration_once")
        ]


class GridFigures(models.Model):
    """A grid's figures on the map for one day (`tiles/figures.py`): kept so that a tile reads
    them instead of counting each agent's work. Valid only for `day` and while no `FiguresStale`
    mark names the grid; the grid layer computes the others live."""

    grid_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()
    agents = models.IntegerField()
    open_work = models.IntegerField()
    overdue = models.IntegerField()


class FiguresStale(models.Model):
    """A writing transaction that changed a grid's figures (marked by triggers; cleared by the
    refresh that recomputed them)."""

    grid_id = models.BigIntegerField()
    txid = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grid_id", "txid"], name="tiles_figuresstale_once")
        ]


class TileCache(models.Model):
    """The tile cache: an UNLOGGED table (no WAL; emptied after a crash, which only costs
    misses), read in the same statement as the generations that make the key."""

    key = models.TextField(primary_key=True)
    data = models.BinaryField()  # gzip-compressed tile bytes (empty for an empty tile)
    expires = models.DateTimeField()
