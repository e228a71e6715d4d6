"""The spatial core: the area tree, service centres and grids with immutable boundary versions.

Four tiers from the source plan: district citizen service centre (区市民服务中心) → street/town
administrative service centre (街(镇)行政服务中心) → community/village convenience service
station (社区(村)便民服务站) → grids (网格). Geometry is stored in WGS-84 (SRID 4326); lengths and
areas are measured in metres on geography. This app knows nothing of people or cases.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    """One node of the district → street/town → community/village tree."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("district")
        STREET = "street", _("street or town")
        COMMUNITY = "community", _("community or village")

    class Kind(models.TextChoices):
        DISTRICT = "district", _("district")
        STREET = "street", _("street")
        TOWN = "town", _("town")
        COMMUNITY = "community", _("community")
        VILLAGE = "village", _("village")

    KINDS_BY_LEVEL = {
        Level.DISTRICT: {Kind.DISTRICT},
        Level.STREET: {Kind.STREET, Kind.TOWN},
        Level.COMMUNITY: {Kind.COMMUNITY, Kind.VILLAGE},
    }
    PARENT_LEVEL = {
        Level.DISTRICT: None,
        Level.STREET: Level.DISTRICT,
        Level.COMMUNITY: Level.STREET,
    }

    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        help_text=_("12-digit statistical division code (统计用区划代码)."),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)
    boundary_source = models.CharField(
        _("boundary source"),
        max_length=200,
        blank=True,
        help_text=_("Where the boundary comes from; demo boundaries say they are synthetic."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}$"), name="area_code_12_digits"
            ),
            models.CheckConstraint(
                condition=(
                    Q(level="district", kind="district", parent__isnull=True)
                    | Q(level="street", kind__in=["street", "town"], parent__isnull=False)
                    | Q(level="community", kind__in=["community", "village"], parent__isnull=False)
                ),
                name="area_level_kind_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AreaPart(models.Model):
    """Pieces of an area's boundary cut by ST_Subdivide, so that point lookups on large,
    detailed boundaries test a few hundred vertices, not tens of thousands (MapIt's trick).
    Derived data: rewritten whenever the area's boundary is."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="parts")
    geom = models.PolygonField(srid=4326)

    class Meta:
        indexes = [GistIndex(fields=["geom"], name="geo_areapart_geom_gist")]


class ServiceCentre(models.Model):
    """The one service centre of an area: district centre, street/town centre or station."""

    class Acceptance(models.TextChoices):
        ROTA = "rota", _("duty rota")
        FIXED_DAYS = "fixed_days", _("fixed weekly acceptance days")

    area = models.OneToOneField(Area, on_delete=models.PROTECT, related_name="centre")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    location = models.PointField(_("location"), srid=4326)
    phone = models.CharField(_("phone"), max_length=32)
    opening_hours = models.CharField(_("opening hours"), max_length=200)
    acceptance = models.CharField(
        _("acceptance arrangement"), max_length=16, choices=Acceptance.choices
    )
    acceptance_weekdays = ArrayField(
        models.PositiveSmallIntegerField(),
        default=list,
        blank=True,
        help_text=_("ISO weekdays (1 = Monday) of fixed acceptance; empty for a rota."),
    )

    class Meta:
        ordering = ["area__code"]
        indexes = [GistIndex(fields=["location"], name="geo_centre_location_gist")]

    def __str__(self) -> str:
        return self.name


class Grid(models.Model):
    """A grid (网格) inside one community/village, looked after by agents.

    The code is stable and never reused. `boundary` is the latest boundary (the current one while
    the grid is active), kept here for indexed lookups; `GridBoundary` holds every version. Only
    geo.services writes either, together. A split or merge retires the old grids and creates new
    ones, recording their lineage.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": Area.Level.COMMUNITY},
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)
    created_at = models.DateTimeField(_("created at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_reason = models.CharField(_("retired because"), max_length=200, blank=True)
    predecessors = models.ManyToManyField(
        "self", symmetrical=False, related_name="successors", blank=True
    )
    revision = models.PositiveIntegerField(
        _("revision"),
        default=1,
        db_default=1,  # rows inserted by SQL (synth_grids) start at 1 too
        help_text=_(
            "One larger with every change of this row (rename, boundary, retirement): the grid's "
            "ETag, which edits must send back in If-Match."
        ),
    )

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["community", "retired_at"], name="geo_grid_comm_active"),
            GistIndex(
                fields=["boundary"],
                condition=Q(retired_at__isnull=True),
                name="geo_grid_active_gist",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def active(self) -> bool:
        return self.retired_at is None


class GridBoundary(models.Model):
    """An immutable version of a grid's boundary, valid from `valid_from` until `valid_to`.

    The current version has `valid_to` NULL; a database trigger refuses any other update and
    every delete, so history cannot be overwritten.
    """

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="boundaries")
    version = models.PositiveIntegerField()
    geom = models.MultiPolygonField(srid=4326)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["grid", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "version"], name="grid_boundary_version_unique"
            ),
            models.UniqueConstraint(
                fields=["grid"],
                condition=Q(valid_to__isnull=True),
                name="grid_one_current_boundary",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="grid_boundary_valid_range",
            ),
        ]
        indexes = [GistIndex(fields=["geom"], name="geo_gridb_geom_gist")]

    def __str__(self) -> str:
        return f"{self.grid_id} v{self.version}"


class GridProposal(models.Model):
    """A boundary edit its editor may not apply alone: it reaches outside the areas they manage
    (an edge shared with another community's grid, or ground beyond their area). Those who
    manage every area involved apply it — through the same service as a direct edit, against the
    revision it was made from — or reject it; who decided, when and why is kept. Only
    geo.proposals writes these rows.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        APPLIED = "applied", _("applied")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Kind(models.TextChoices):
        UPDATE = "update", _("boundary change")

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.UPDATE)
    base_revision = models.PositiveIntegerField(_("made from revision"))
    name = models.CharField(_("new name"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    before = models.MultiPolygonField(_("boundary before"), srid=4326)
    after = models.MultiPolygonField(_("boundary proposed"), srid=4326)
    reason = models.CharField(_("reason"), max_length=32)
    reason_message = models.CharField(_("reason explained"), max_length=300)
    neighbours = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    area_ids = ArrayField(
        models.BigIntegerField(),
        help_text=_("Every community involved: who manages all of them may decide."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    result_revision = models.PositiveIntegerField(_("revision applied as"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True)
                | (~Q(status="open") & Q(decided_at__isnull=False)),
                name="grid_proposal_decided_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "proposed_at"], name="geo_proposal_status"),
            GinIndex(fields=["area_ids"], name="geo_proposal_areas_gin"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.grid_id} ({self.status})"


class BoundaryUpload(models.Model):
    """A boundary file uploaded from the browser (/map/boundaries/): its bytes, the options
    chosen, and the preview the worker made of it, until it is applied (geo.uploads).

    `run` counts the previews asked for: a task carries the run it was queued for and does
    nothing once another has been asked (django-q2 delivers at least once)."""

    class Status(models.TextChoices):
        PARSING = "parsing", _("being read")
        READY = "ready", _("preview ready")
        FAILED = "failed", _("refused")
        APPLYING = "applying", _("being applied")
        APPLIED = "applied", _("applied")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    filename = models.CharField(max_length=200)
    format = models.CharField(max_length=16)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    level = models.CharField(max_length=16)
    parent_code = models.CharField(max_length=12, blank=True)
    make_valid = models.BooleanField(default=False)
    source_crs = models.CharField(max_length=8, default="wgs84")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PARSING)
    run = models.PositiveIntegerField(default=1)
    error = models.JSONField(null=True, blank=True)  # a refusal of the whole file
    result = models.JSONField(null=True, blank=True)  # the preview (or what was applied)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.level}, {self.status})"
