"""The audit trail in the admin: read-only (the database refuses changes anyway)."""

from django.contrib import admin

from .models import Change


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["id", "at", "table_name", "row_id", "op", "actor_id", "request_id"]
    list_filter = ["table_name", "op"]
    search_fields = ["=row_id", "=request_id"]
    readonly_fields = [
        "at",
        "table_name",
        "row_id",
        "op",
        "changes",
        "actor_id",
        "request_id",
        "context",
        "txid",
    ]
    show_full_result_count = False  # counting a large trail on every page is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
