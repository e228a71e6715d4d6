"""Appointments (预约): one per resident matter, routed by where the resident lives.

Rules served: home visits (上门服务) and first-inquiry responsibility (首问负责). The routing
decision is stored with its explanation so any assignment can be audited later.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import CharField, F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from catalogue.models import ServiceItem, ServiceItemVersion
from geo.models import Grid, ServiceCentre
from people.models import Staff


class Channel(models.TextChoices):
    APP = "app", _("agent's app")
    DESK = "desk", _("station desk")
    PHONE = "phone", _("phone call")
    WEB = "web", _("web")
    OPEN311 = "open311", _("Open311 client")


class Status(models.TextChoices):
    AWAITING = "awaiting_confirmation", _("awaiting the agent's confirmation")
    CONFIRMED = "confirmed", _("confirmed by the agent")
    UNROUTED = "unrouted", _("in an unrouted queue")
    CANCELLED = "cancelled", _("cancelled")
    IN_CASE = "in_case", _("taken up as a case")


OPEN_STATUSES = (Status.AWAITING, Status.CONFIRMED, Status.UNROUTED)


class Appointment(models.Model):
    tracking_code = models.CharField(max_length=12, unique=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    applicant_name = models.CharField(_("applicant"), max_length=50)
    applicant_phone = models.CharField(_("applicant's mobile"), max_length=11)
    resident_id_encrypted = models.TextField(blank=True)
    resident_id_hash = models.CharField(max_length=64, blank=True)  # index appt_resident_hash
    resident_id_masked = models.CharField(max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=300)
    location = models.PointField(_("location"), srid=4326)
    service_item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    item_version = models.ForeignKey(ServiceItemVersion, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), blank=True)
    preferred_start = models.DateTimeField(null=True, blank=True)
    preferred_end = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=24, choices=Status.choices)
    # the agent it is with: the routed candidate while awaiting, the owner once confirmed
    agent = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        db_index=False,  # appt_agent_status leads with it
    )
    first_inquiry = models.BooleanField(
        default=False, help_text=_("首问负责: owned by the agent who took it in person.")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    queue_centre = models.ForeignKey(
        ServiceCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # appt_queue leads with it
        help_text=_("The unrouted queue it waits in, when no agent could take it."),
    )
    outside_coverage = models.BooleanField(default=False)
    routed_at = models.DateTimeField(null=True, blank=True)
    confirm_deadline = models.DateTimeField(null=True, blank=True)
    routing = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["agent", "status"], name="appt_agent_status"),
            # equality look-ups only: no pattern-ops twin
            models.Index(fields=["resident_id_hash"], name="appt_resident_hash"),
            models.Index(fields=["status", "confirm_deadline"], name="appt_status_deadline"),
            models.Index(fields=["queue_centre", "status"], name="appt_queue"),
            # a backlog waiting to be routed, neighbours together (`route_queued`)
            models.Index(
                # ~150 m cells: a batch is a compact cluster, so batches side by side rarely
                # want the same agents
                Func(F("location"), Value(7), function="ST_GeoHash", output_field=CharField()),
                F("id"),
                name="appt_backlog",
                condition=Q(status="unrouted", routed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_end__isnull=True)
                | Q(preferred_start__isnull=True)
                | Q(preferred_end__gt=models.F("preferred_start")),
                name="appt_window_forwards",
            ),
            models.CheckConstraint(
                condition=~Q(status="awaiting_confirmation") | Q(agent__isnull=False),
                name="appt_awaiting_has_agent",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class RoutingDecision(models.Model):
    """Every routing decision, kept: rule, grid, agent, distance, candidates and why."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="decisions")
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=40)
    rule = models.CharField(max_length=30)
    grid_code = models.CharField(max_length=32, blank=True)
    agent = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    distance_m = models.FloatField(null=True, blank=True)
    outside_coverage = models.BooleanField(default=False)
    candidates = models.JSONField(default=list)

    class Meta:
        ordering = ["created_at", "pk"]


class AppointmentEvent(models.Model):
    """The appointment's timeline: append-only."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ResidentIdRead(models.Model):
    """Every read of a resident's full ID number (PIPL), of an appointment or of a case."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    purpose = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(appointment__isnull=False) | Q(case__isnull=False),
                name="id_read_has_subject",
            )
        ]


class StationPolicy(models.Model):
    """Per-station routing settings (defaults in settings.APPOINTMENTS)."""

    centre = models.OneToOneField(ServiceCentre, on_delete=models.CASCADE, related_name="+")
    confirm_minutes = models.PositiveSmallIntegerField(default=30)
