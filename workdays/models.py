"""Chinese working-day calendar: statutory holidays and adjusted working weekends (调休).

Only exceptions are stored: a day is a working day if it is Monday–Friday and not a holiday,
or if it is an adjusted working day. A year counts as published once the State Council's
schedule for it is loaded (seeded from the chinesecalendar library; administrators add a new
year in the admin when it is announced). Dates in unpublished years are answered from the
weekday alone and marked provisional.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(primary_key=True)
    published = models.BooleanField(
        _("schedule published"),
        default=True,
        help_text=_("The State Council's holiday schedule for this year is loaded."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class SpecialDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("statutory holiday (day off)")
        WORKDAY = "workday", _("adjusted working day (调休)")

    date = models.DateField(_("date"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"
