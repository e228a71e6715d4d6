"""Admin: suggestions and complaints are read here. Replies, visibility and every complaint
transition go through feedback.services (the API), so each change is checked and recorded."""

from django.contrib import admin

from .models import Complaint, ComplaintEvent, Suggestion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "station", "status", "public", "created_at", "replied_at"]
    list_filter = ["status", "public"]
    search_fields = ["text", "reply", "station__name", "station__area__code"]
    list_select_related = ["station"]


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    fields = ["at", "actor", "action", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["tracking_code", "status", "outcome", "centre", "staff", "case", "created_at"]
    list_filter = ["status", "outcome"]
    search_fields = ["tracking_code", "complainant_name", "text"]
    list_select_related = ["centre", "staff", "case"]
    inlines = [ComplaintEventInline]
