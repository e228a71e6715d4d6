"""The audit trail and the resident-ID read log in the admin: read-only (the database refuses
changes to the trail anyway), and only for those who may read them (`may_read_trail`)."""

from django.contrib import admin

from appointments.models import ResidentIdRead

from .models import Change
from .selectors import may_read_trail


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


@admin.register(ResidentIdRead)
class ResidentIdReadAdmin(admin.ModelAdmin):
    """Who read whose full ID number (PIPL): administrators and district staff only."""

    list_display = ["id", "at", "reader", "appointment", "case", "purpose"]
    list_filter = ["purpose"]
    search_fields = ["=reader__username", "=case__tracking_code", "=appointment__tracking_code"]
    date_hierarchy = "at"
    list_select_related = ["reader", "appointment", "case"]
    fields = ["at", "reader", "appointment", "case", "purpose"]
    readonly_fields = fields
    show_full_result_count = False

    def has_module_permission(self, request):
        return may_read_trail(request.user)

    def has_view_permission(self, request, obj=None):
        return may_read_trail(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
