"""People: staff profiles and roles, training, grid assignments, desk cover, availability,
positions.

The source plan: each station forms, manages and trains a team of agents (代办员) — village
cadres and college-graduate village officials (大学生村官) at the core, grid workers (网格员) in
support — posts who they are publicly, and keeps someone at the desk on every working day.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from geo.models import Grid, ServiceCentre


class Role(models.TextChoices):
    AGENT = "agent", _("agent (代办员)")
    STATION_MANAGER = "station_manager", _("station manager")
    CENTRE_STAFF = "centre_staff", _("street/town centre staff")
    CENTRE_LEAD = "centre_lead", _("street/town centre lead")
    DISTRICT_STAFF = "district_staff", _("district centre staff")
    WINDOW_STAFF = "window_staff", _("approval-window staff")
    SUPERVISOR = "supervisor", _("supervisor")
    ADMIN = "admin", _("administrator")


class AgentType(models.TextChoices):
    VILLAGE_CADRE = "village_cadre", _("village or community cadre")
    GRADUATE_OFFICIAL = "graduate_official", _("college-graduate village official (大学生村官)")
    GRID_WORKER = "grid_worker", _("grid worker (网格员)")
    OTHER = "other", _("other")


class Staff(models.Model):
    """The work profile of a user: who they are, where they belong, what they may do."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff"
    )
    full_name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11, unique=True)
    post = models.CharField(_("post (职务)"), max_length=50, blank=True)
    agent_type = models.CharField(
        _("agent type"), max_length=20, choices=AgentType.choices, blank=True
    )
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices), default=list)
    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    window = models.CharField(
        _("approval window"),
        max_length=50,
        blank=True,
        help_text=_("For approval-window staff: the window they serve (catalogue issue)."),
    )
    public = models.BooleanField(_("listed on the public board"), default=True)
    active = models.BooleanField(_("active"), default=True)
    open_work_cap = models.PositiveSmallIntegerField(
        _("open work cap"),
        null=True,
        blank=True,
        help_text=_("Most open matters at once; empty for the default."),
    )
    # the language of the messages written to them (notifications, pushes); residents have no
    # profile and are always written to in Chinese (notifications.services)
    language = models.CharField(
        _("language of messages"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
        # rows written by SQL (synth_staff, bulk imports) get it too
        db_default="zh-hans",
    )
    last_position = models.PointField(_("last known position"), srid=4326, null=True, blank=True)
    last_position_at = models.DateTimeField(null=True, blank=True)
    last_position_accuracy_m = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name_plural = "staff"
        indexes = [GistIndex(fields=["last_position"], name="people_staff_position_gist")]
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__regex=r"^1[3-9][0-9]{9}$"), name="staff_phone_mobile"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class Training(models.Model):
    """培训: stations train their agents."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="trainings")
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.PROTECT, related_name="trainings", null=True, blank=True
    )

    class Meta:
        ordering = ["-date", "pk"]


class GridAssignment(models.Model):
    """An agent looking after a grid, as primary or backup, from one date until another.

    Never edited but to end it: history is the sequence of rows. A database exclusion
    constraint keeps one primary per grid on any day, even under concurrent writes.
    """

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("primary")
        BACKUP = "backup", _("backup")

    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="assignments")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until (exclusive)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["grid", "valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="assignment_valid_range",
            ),
            ExclusionConstraint(
                name="assignment_one_primary_per_day",
                expressions=[
                    ("grid", RangeOperators.EQUAL),
                    (
                        Func(F("valid_from"), F("valid_to"), Value("[)"), function="daterange"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(kind="primary"),
            ),
            ExclusionConstraint(
                name="assignment_no_double_booking",
                expressions=[
                    ("grid", RangeOperators.EQUAL),
                    ("staff", RangeOperators.EQUAL),
                    (
                        Func(F("valid_from"), F("valid_to"), Value("[)"), function="daterange"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]
        indexes = [models.Index(fields=["staff", "valid_to"], name="people_assign_staff")]


class DeskShift(models.Model):
    """A rota shift at a centre's acceptance desk (集中受理): who receives residents, when."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="shifts")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField(_("date"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        ordering = ["date", "start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_end_after_start"),
            models.UniqueConstraint(
                fields=["centre", "staff", "date", "start"], name="shift_unique"
            ),
        ]


class DeskDay(models.Model):
    """Fixed weekly acceptance: on this ISO weekday, these hours, this person is at the desk."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.CASCADE, related_name="desk_days")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="desk_days")
    weekday = models.PositiveSmallIntegerField(_("ISO weekday (1 = Monday)"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        ordering = ["weekday", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="deskday_weekday"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="deskday_end_after_start"),
        ]


class WorkPeriod(models.Model):
    """Working hours on an ISO weekday (they apply on working days only). Rows without staff
    are the default schedule; an agent with rows of their own follows those instead."""

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="work_periods", null=True, blank=True
    )
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="workperiod_weekday"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="workperiod_end_after_start"
            ),
        ]


class Leave(models.Model):
    """An agent away (leave, sickness, training elsewhere) from `start` until `end`."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="leaves")
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="leave_end_after_start")
        ]


class PositionReport(models.Model):
    """One position the app reported. Movement tracks are personal information (PIPL): kept
    for settings.PEOPLE['POSITION_RETENTION_DAYS'] days, read only by the agent and managers."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="positions")
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    location = models.PointField(srid=4326)
    accuracy_m = models.FloatField()
    recorded_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["staff", "-recorded_at"], name="people_pos_staff_time"),
            models.Index(fields=["recorded_at"], name="people_pos_time"),
        ]
