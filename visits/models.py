"""Home visits (上门服务): after an appointment the agent visits the home. Check-in and check-out
carry the phone's position; the server measures the distance to the appointment's location and
flags a check-in beyond the allowed radius."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from cases.models import Case
from core.offline import fingerprint_field
from people.models import Staff


class Visit(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        IN_PROGRESS = "in_progress", _("checked in")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    client_fingerprint = fingerprint_field()  # core.offline: the replay rule
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    agent = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="visits")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    # where the home is (the appointment's or case's location when the visit was made)
    destination = models.PointField(srid=4326, null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    check_in_position = models.PointField(srid=4326, null=True, blank=True)
    check_in_accuracy_m = models.FloatField(null=True, blank=True)
    check_in_distance_m = models.FloatField(null=True, blank=True)
    check_in_flagged = models.BooleanField(
        default=False, help_text=_("Checked in farther from the home than the allowed radius.")
    )
    checked_out_at = models.DateTimeField(null=True, blank=True)
    check_out_position = models.PointField(srid=4326, null=True, blank=True)
    check_out_distance_m = models.FloatField(null=True, blank=True)
    # what was done: {"forms_filled": [...], "papers_collected": [...], "notes": "..."}
    record = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["agent", "status"], name="visit_agent_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(appointment__isnull=False) | Q(case__isnull=False),
                name="visit_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="visit_out_after_in",
            ),
        ]
