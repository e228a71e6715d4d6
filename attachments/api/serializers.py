"""Shapes of the attachments API."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ..models import Attachment


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="A photo: JPEG, PNG or HEIC. The type is read from the bytes, not the name."
    )
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices)
    client_uuid = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Made by the phone: sending the same upload again returns the first one.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    file_url = serializers.SerializerMethodField(
        help_text="Where the stored copy is served (to the same readers as this record)."
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "client_uuid",
            "case",
            "visit",
            "kind",
            "content_type",
            "size",
            "width",
            "height",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "note",
            "file_url",
        ]

    def get_file_url(self, attachment: Attachment) -> str:
        return reverse("attachments:attachment-file", args=[attachment.pk])
