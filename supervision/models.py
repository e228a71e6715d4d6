"""Supervision records: assessment schemes and their indicators, notice rules and notices,
inspections with their scored checklist items and photos.

- A scheme version (考核方案) is data: weighted indicators drawn from the figures, for one unit
  level and one kind of period. Once published it never changes (database triggers, migration
  0002); a change is a new version, a new row set.
- A notice rule (通报规则) is data too: a figure or a built-in check, a comparison with a
  threshold, a level and a kind of period. Notices it proposes are reviewed by district staff,
  issued or dismissed; a unit gets at most one notice per rule and period (unique constraint).
- An inspection (督导检查) copies the checklist it was scored on into its items, so a later
  change of the checklist does not change old records.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from geo.models import Area, Grid, ServiceCentre
from people.models import Staff


class Level(models.TextChoices):
    """The units figures are computed for."""

    AGENT = "agent", _("agent")
    GRID = "grid", _("grid")
    COMMUNITY = "community", _("community or village station")
    STREET = "street", _("street or town")
    DISTRICT = "district", _("district")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    YEAR = "year", _("year")


# --- assessment (考核) ------------------------------------------------------------------------


class AssessmentScheme(models.Model):
    """One version of an assessment scheme. Drafts may be previewed; publishing freezes the
    version and makes it the active one of its code."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    level = models.CharField(_("unit level"), max_length=10, choices=Level.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scheme_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(active=True), name="scheme_one_active_version"
            ),
            models.CheckConstraint(
                condition=Q(active=False) | Q(published_at__isnull=False),
                name="scheme_active_is_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Indicator(models.Model):
    """A weighted indicator: a figure and how its value becomes a score from 0 to 100.

    - target: higher is better → min(100, value / target × 100); lower is better →
      100 while value ≤ target, else target / value × 100;
    - band: linear from `worst` (0 points) to `best` (100 points), clamped to 0–100.
    A unit without a value (no completed case, say) scores `missing_score`.
    """

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    class Method(models.TextChoices):
        TARGET = "target", _("share of a target")
        BAND = "band", _("linear band from worst to best")

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveSmallIntegerField(default=0)
    figure = models.CharField(_("figure"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    direction = models.CharField(max_length=6, choices=Direction.choices)
    method = models.CharField(max_length=6, choices=Method.choices)
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    best = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    worst = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    missing_score = models.DecimalField(max_digits=5, decimal_places=2, default=0)

    class Meta:
        ordering = ["scheme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "figure"], name="indicator_figure_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=Q(missing_score__gte=0, missing_score__lte=100),
                name="indicator_missing_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(method="target", target__gt=0)
                | Q(method="band", best__isnull=False, worst__isnull=False),
                name="indicator_method_parameters",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.figure} ×{self.weight}"


# --- notices (通报) ---------------------------------------------------------------------------


class Comparison(models.TextChoices):
    LT = "lt", _("below")
    LE = "le", _("at most")
    GT = "gt", _("above")
    GE = "ge", _("at least")


class NoticeRule(models.Model):
    """When a unit earns a notice: a figure (or a built-in check's count) compared with a
    threshold, for each unit of a level, per period."""

    class Kind(models.TextChoices):
        FIGURE = "figure", _("a figure")
        NO_DESK_COVER = "no_desk_cover", _("working days without desk cover (集中受理)")
        NO_PRIMARY_AGENT = "no_primary_agent", _("grids without a primary agent")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    figure = models.CharField(_("figure"), max_length=40, blank=True)
    comparison = models.CharField(_("comparison"), max_length=2, choices=Comparison.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2)
    level = models.CharField(_("unit level"), max_length=10, choices=Level.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="figure") | ~Q(figure=""), name="notice_rule_figure_named"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Notice(models.Model):
    """A lagging-unit notice (通报): proposed by a rule, issued or dismissed by district staff.

    `text` names whoever it is about (an agent's name, for agent-level rules) and is read by
    staff only; `public_text` and `public_unit_name` name units only — an agent-level notice
    names the agent's station, never the person.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ISSUED = "issued", _("issued")
        DISMISSED = "dismissed", _("dismissed")

    rule = models.ForeignKey(NoticeRule, on_delete=models.PROTECT, related_name="notices")
    level = models.CharField(max_length=10, choices=Level.choices)
    unit_key = models.CharField(max_length=40, help_text=_("level:id of the unit"))
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit's area (the station's community for grids and agents)."),
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_name = models.CharField(max_length=200)
    public_unit_name = models.CharField(max_length=200)
    period = models.CharField(max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    text = models.TextField()
    public_text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_start", "pk"]
        indexes = [models.Index(fields=["status", "area"], name="notice_status_area")]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "unit_key", "period"], name="notice_once_per_unit_and_period"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", reviewed_at__isnull=True)
                | (~Q(status="proposed") & Q(reviewed_at__isnull=False)),
                name="notice_reviewed_when_decided",
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(review_note=""),
                name="notice_dismissal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.unit_name} {self.period}"


# --- inspections (督导检查) ---------------------------------------------------------------------


class Inspection(models.Model):
    """One visit to a centre or station: the checklist scored item by item, the total, the
    findings. Recorded once; a correction is a new inspection."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    checklist_version = models.CharField(max_length=20)
    total = models.PositiveSmallIntegerField(_("total"))
    max_total = models.PositiveSmallIntegerField(_("highest possible total"))
    findings = models.TextField(_("findings"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["centre", "date"], name="inspection_centre_date")]
        constraints = [
            models.CheckConstraint(condition=Q(max_total__gt=0), name="inspection_max_positive"),
            models.CheckConstraint(
                condition=Q(total__lte=models.F("max_total")), name="inspection_total_at_most_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.date}"

    @property
    def percent(self) -> float:
        return round(100 * self.total / self.max_total, 1)


class InspectionItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=30)
    label = models.CharField(max_length=200)
    max_score = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["inspection", "position"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "key"], name="inspection_item_once"),
            models.CheckConstraint(
                condition=Q(score__lte=models.F("max_score")), name="inspection_item_score_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.score}/{self.max_score}"


def photo_name(instance, filename: str) -> str:
    """A random name under inspections/; only the extension of the given name is kept."""
    extension = PurePosixPath(filename).suffix.lower().lstrip(".") or "jpg"
    return f"inspections/{uuid.uuid4().hex}.{extension}"


class InspectionPhoto(models.Model):
    """A photo taken during an inspection: the clean copy (re-encoded, without EXIF or GPS)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to=photo_name, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.file.name
