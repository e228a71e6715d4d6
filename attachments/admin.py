"""Admin: attachments are read here, never added, changed or deleted (uploads go through the
API, which makes the clean copy). The file is fetched through the API, not from a media URL."""

from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "case",
        "visit",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["kind", "content_type"]
    search_fields = ["case__tracking_code", "sha256", "note"]
    raw_id_fields = ["case", "visit", "uploaded_by"]
    readonly_fields = ["stored_as"]
    exclude = ["file"]

    @admin.display(description="stored as")
    def stored_as(self, obj):
        return obj.file.name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
