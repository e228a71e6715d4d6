"""Open311 GeoReport v2 clients: their API keys, and what each submitted request brought that
an appointment has no field for (the client, a media URL, an e-mail address).

An API key is stored only as a SHA-256 digest: a database leak yields no keys, and the raw key
is shown once, when it is issued (`open311.keys`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment


class ApiKey(models.Model):
    """One client's key (a civic-reporting app, a city portal). Issued by administrators;
    deactivated, never deleted, so that what a client filed stays attributable."""

    name = models.CharField(_("client name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("key prefix"),
        max_length=8,
        editable=False,
        help_text=_("The first characters of the key, to tell keys apart."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    active = models.BooleanField(_("active"), default=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "-created_at"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Submission(models.Model):
    """The Open311 side of an appointment filed through the API: which client filed it and the
    GeoReport fields the appointment does not keep. Staff-only: the public reads show nothing
    of it but `media_url`."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="open311_submission"
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="submissions")
    media_url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.appointment_id} via {self.api_key_id}"
