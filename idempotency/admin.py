"""Admin: idempotency records may be read (and a stuck one deleted); the middleware writes them."""

from django.contrib import admin

from .models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "scope", "method", "path", "state", "response_status", "expires_at"]
    list_filter = ["state", "method"]
    search_fields = ["key", "scope", "path"]
    exclude = ["response_body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
