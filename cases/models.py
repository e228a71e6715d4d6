"""Cases (代办事项): accept → handle → reply (受理、承办、回复).

Rules served: first-inquiry responsibility (首问负责: the responsible agent changes only by an
explicit hand-over), time-limited completion (限时办结: a due date in working days), free proxy
(无偿代办: only legally required fees), one-time notification (一次告知: exactly what is missing),
the triplicate register (登记本: a gapless, hash-chained serial per station per year) and custody
of the originals an agent carries.

Events, register entries and custody hand-overs are append-only: database triggers refuse
UPDATE and DELETE on them (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from catalogue.models import ApprovalWindow, ServiceItem, ServiceItemVersion
from geo.models import ServiceCentre
from people.models import Staff


class Origin(models.TextChoices):
    APPOINTMENT = "appointment", _("from an appointment")
    STATION_DESK = "station_desk", _("at a station's desk")
    CENTRE = "centre", _("directly at a street/town centre")


class Status(models.TextChoices):
    CONSULTING = "consulting", _("consulting (pre-review)")
    AWAITING_PAPERS = "awaiting_papers", _("awaiting papers")
    DECLINED = "declined", _("declined (not eligible)")
    ACCEPTED = "accepted", _("accepted")
    FORWARDED = "forwarded", _("forwarded")
    AT_WINDOW = "at_window", _("at the approval window")
    RESULT_READY = "result_ready", _("result ready")
    REFUSED = "refused", _("refused by the department")
    COLLECTED = "collected", _("collected by the agent")
    RETURNED = "returned", _("returned to the applicant")
    CLOSED = "closed", _("closed")


# the deadline runs from acceptance until the matter is back with the applicant
RUNNING = (
    Status.ACCEPTED,
    Status.FORWARDED,
    Status.AT_WINDOW,
    Status.RESULT_READY,
    Status.REFUSED,
    Status.COLLECTED,
)
OPEN = (Status.CONSULTING, Status.AWAITING_PAPERS, *RUNNING, Status.RETURNED)


class Case(models.Model):
    tracking_code = models.CharField(max_length=12, unique=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    origin = models.CharField(max_length=16, choices=Origin.choices)
    centre = models.ForeignKey(
        ServiceCentre,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("The station (or street/town centre) whose register it is entered in."),
    )
    service_item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    item_version = models.ForeignKey(ServiceItemVersion, on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        ApprovalWindow, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    description = models.TextField(blank=True)
    applicant_name = models.CharField(_("applicant"), max_length=50)
    applicant_phone = models.CharField(_("applicant's mobile"), max_length=11)
    resident_id_encrypted = models.TextField(blank=True)
    resident_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    resident_id_masked = models.CharField(max_length=18, blank=True)
    address = models.CharField(max_length=300, blank=True)
    location = models.PointField(srid=4326, null=True, blank=True)
    responsible = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("首问负责: the first-inquiry responsible person; moves only by hand-over."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONSULTING)
    # {material key: provided | missing | not_applicable}
    checklist = models.JSONField(default=dict, blank=True)
    decline_reason = models.TextField(blank=True)
    refusal_reason = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    returned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    return_code = models.CharField(
        max_length=6, blank=True, help_text=_("Printed on the applicant's copy of the receipt.")
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["responsible", "status"], name="case_responsible_status"),
            models.Index(fields=["centre", "status"], name="case_centre_status"),
            models.Index(fields=["status", "due_date"], name="case_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="case_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(due_date__isnull=False),
                name="case_accepted_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class CaseEvent(models.Model):
    """The timeline people read: who, when, where, from → to, note. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    position = models.PointField(srid=4326, null=True, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class RegisterCounter(models.Model):
    """The last serial of one register (a station's, for one year); its row lock makes serials
    gapless and unique under concurrent acceptances."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "year"], name="register_counter_unique")
        ]


class RegisterEntry(models.Model):
    """村民(居民)代理事项登记本: one line of a station's register. Never edited: a correction is
    a new entry pointing at the old one. Each entry carries the hash of the previous entry in
    its register, so `verify_register` finds any tampering."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("acceptance")
        CORRECTION = "correction", _("correction")

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="register")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="register_entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    # what the paper register records: applicant, item, materials, originals, fees, due date…
    content = models.JSONField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    street_centre = models.ForeignKey(
        ServiceCentre,
        on_delete=models.PROTECT,
        related_name="register_copies",
        help_text=_("The street/town centre that receives its copy."),
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["centre", "year", "serial"]
        verbose_name_plural = "register entries"
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "year", "serial"], name="register_serial_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="acceptance", corrects__isnull=True)
                | Q(kind="correction", corrects__isnull=False),
                name="register_correction_points_back",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.serial:05d}"

    @property
    def number(self) -> str:
        return f"{self.year}-{self.serial:05d}"


class Holder(models.TextChoices):
    RESIDENT = "resident", _("the applicant")
    AGENT = "agent", _("the agent")
    CENTRE = "centre", _("the street/town centre")
    WINDOW = "window", _("the approval window")


class Original(models.Model):
    """An original document (ID card, household register…) the agent took from the applicant."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="originals")
    name = models.CharField(max_length=100)
    material_key = models.CharField(max_length=40, blank=True)
    holder = models.CharField(max_length=10, choices=Holder.choices)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]


class CustodyTransfer(models.Model):
    """One hand-over of an original: from whom to whom, who recorded it and when. Append-only."""

    original = models.ForeignKey(Original, on_delete=models.PROTECT, related_name="transfers")
    from_holder = models.CharField(max_length=10, choices=Holder.choices)
    to_holder = models.CharField(max_length=10, choices=Holder.choices)
    person = models.CharField(
        max_length=50, blank=True, help_text=_("Who received it (name as signed).")
    )
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]


class Fee(models.Model):
    """A fee paid on the applicant's behalf: only the item version's legally required fees."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="fees")
    name = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    legal_basis = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fee_positive")]


class DeadlineAlert(models.Model):
    """Each warning or escalation step sent for a case: the unique constraint makes it once
    only, whatever restarts or repeated task runs happen."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("yellow warning")
        OVERDUE_AGENT = "overdue_agent", _("overdue: the agent")
        OVERDUE_MANAGER = "overdue_manager", _("overdue: the station manager")
        OVERDUE_LEAD = "overdue_lead", _("overdue: the street/town centre lead")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="deadline_alert_once")]
