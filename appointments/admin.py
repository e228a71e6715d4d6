"""Admin: appointments are read here (changes go through the API's action table);
stations' response times are set here."""

from django.contrib import admin

from .models import Appointment, StationPolicy


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = [
        "tracking_code",
        "status",
        "service_item",
        "agent",
        "queue_centre",
        "created_at",
    ]
    list_filter = ["status", "channel", "first_inquiry", "outside_coverage"]
    search_fields = ["tracking_code", "applicant_name", "address"]
    exclude = ["resident_id_encrypted", "resident_id_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StationPolicy)
class StationPolicyAdmin(admin.ModelAdmin):
    list_display = ["centre", "confirm_minutes"]
    raw_id_fields = ["centre"]
