"""Residents' voice: the suggestion box (意见箱) of each station and complaints (投诉) about staff.

The source plan: each station collects residents' opinions in a suggestion box so that work
improves (上墙公示), and the street/town centre handles complaints about staff. Both count in
the supervision figures (feedback.selectors.counts).

Complaint events are append-only and complaints are never deleted: database triggers refuse it
(`feedback/sql/feedback_append_only.sql`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from geo.models import ServiceCentre
from people.models import Staff

TEXT_MAX = 2000
NAME_MAX = 50
REPLY_MAX = 2000
NOTE_MAX = 500

MOBILE_OR_BLANK = Q(phone="") | Q(phone__regex=r"^1[3-9][0-9]{9}$")


class Suggestion(models.Model):
    """One slip in a station's suggestion box; anonymous unless the resident gives a name."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        REPLIED = "replied", _("replied")

    station = models.ForeignKey(
        ServiceCentre,
        on_delete=models.PROTECT,
        related_name="suggestions",
        verbose_name=_("station"),
        help_text=_("A community/village station or a street/town centre."),
    )
    text = models.CharField(_("text"), max_length=TEXT_MAX)
    name = models.CharField(_("name"), max_length=NAME_MAX, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    reply = models.CharField(_("reply"), max_length=REPLY_MAX, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    public = models.BooleanField(
        _("shown on the public board"),
        default=True,
        help_text=_(
            "Once replied, text and reply are posted on the station's board unless hidden."
        ),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        indexes = [
            models.Index(fields=["station", "status"], name="feedback_sugg_station_status"),
            models.Index(fields=["station", "created_at"], name="feedback_sugg_station_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(text__regex=r"\S"), name="suggestion_text_required"),
            models.CheckConstraint(condition=MOBILE_OR_BLANK, name="suggestion_phone_mobile"),
            models.CheckConstraint(
                condition=(
                    Q(status="new", reply="", replied_at__isnull=True)
                    | (Q(status="replied", replied_at__isnull=False) & ~Q(reply=""))
                ),
                name="suggestion_replied_has_reply",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.station}"


class Complaint(models.Model):
    """投诉: about a named staff member and/or a case, handled by the street/town centre above
    the person (the district centre for street/town or district staff)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        INVESTIGATING = "investigating", _("investigating")
        REPLIED = "replied", _("replied")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("upheld")
        PARTLY_UPHELD = "partly_upheld", _("partly upheld")
        NOT_UPHELD = "not_upheld", _("not upheld")

    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("staff member complained about"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("case"),
    )
    centre = models.ForeignKey(
        ServiceCentre,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("handling centre"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=NAME_MAX)
    complainant_phone = models.CharField(_("complainant's mobile"), max_length=11)
    text = models.CharField(_("text"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    reply = models.CharField(_("reply"), max_length=REPLY_MAX, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("note on the outcome"), max_length=NOTE_MAX, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["centre", "status"], name="feedback_compl_centre_status"),
            models.Index(fields=["centre", "created_at"], name="feedback_compl_centre_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | Q(case__isnull=False),
                name="complaint_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(complainant_phone__regex=r"^1[3-9][0-9]{9}$"),
                name="complaint_phone_mobile",
            ),
            models.CheckConstraint(condition=Q(text__regex=r"\S"), name="complaint_text_required"),
            models.CheckConstraint(
                condition=Q(complainant_name__regex=r"\S"), name="complaint_name_required"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "investigating"])
                | (Q(replied_at__isnull=False) & ~Q(reply="")),
                name="complaint_replied_has_reply",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (
                    Q(closed_at__isnull=False)
                    & Q(outcome__in=["upheld", "partly_upheld", "not_upheld"])
                ),
                name="complaint_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class ComplaintEvent(models.Model):
    """One step of a complaint: who, when, which action, from → to, note. Append-only."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    note = models.CharField(_("note"), max_length=REPLY_MAX, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint} {self.action}"
