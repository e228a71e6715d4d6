"""Attachments: photos of documents and signatures taken on a case or a home visit.

Only a clean copy is stored (attachments.images): re-encoded with no EXIF, GPS or XMP, under a
name the server makes up — the client's file name is never used. Files go through Django's
storage API (the filesystem by default, S3-compatible storage when configured) and are served
only through the API, to those who see the case or visit. Nothing in the API deletes one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from core.offline import fingerprint_field
from visits.models import Visit

from .images import STORED_EXTENSIONS


def stored_name(instance: Attachment, filename: str) -> str:
    """attachments/<yyyy>/<mm>/<uuid>.<ext>: the month it was uploaded (Asia/Shanghai) and a
    random name; only the extension of `filename` (chosen by the service) is used."""
    extension = filename.rsplit(".", 1)[-1].lower()
    if extension not in STORED_EXTENSIONS:
        raise ValueError(f"not a stored attachment type: {extension!r}")
    when = timezone.localtime(instance.uploaded_at or timezone.now())
    return f"attachments/{when:%Y}/{when:%m}/{uuid.uuid4()}.{extension}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT_PHOTO = "document_photo", _("photo of a document")
        SIGNATURE = "signature", _("signature")
        OTHER = "other", _("other")

    # made by the phone when the photo is taken offline: sending it twice stores it once
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    client_fingerprint = fingerprint_field()  # core.offline: the replay rule
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    file = models.FileField(upload_to=stored_name, max_length=200)
    # of the stored copy (a HEIC photo is stored as JPEG)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(help_text=_("Bytes of the stored copy."))
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, help_text=_("SHA-256 of the stored copy (hex)."))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(case__isnull=False) & Q(visit__isnull=True))
                | (Q(case__isnull=True) & Q(visit__isnull=False)),
                name="attachment_one_subject",
            ),
        ]

    def __str__(self) -> str:
        subject = f"case {self.case_id}" if self.case_id else f"visit {self.visit_id}"
        return f"{self.get_kind_display()} #{self.pk} ({subject})"
