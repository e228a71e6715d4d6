"""Admin for people. Profiles are created here by administrators; phone numbers go through the
same rule as everywhere (core.validation.normalise_mobile)."""

from django import forms
from django.contrib import admin

from core.errors import ApplicationError
from core.validation import normalise_mobile

from .models import DeskDay, DeskShift, GridAssignment, Leave, Staff, Training, WorkPeriod


class StaffForm(forms.ModelForm):
    class Meta:
        model = Staff
        fields = [
            "user",
            "full_name",
            "phone",
            "post",
            "agent_type",
            "roles",
            "centre",
            "window",
            "public",
            "active",
            "open_work_cap",
            "language",
        ]

    def clean_phone(self):
        try:
            return normalise_mobile(self.cleaned_data["phone"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 0


class WorkPeriodInline(admin.TabularInline):
    model = WorkPeriod
    extra = 0


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    form = StaffForm
    list_display = [
        "full_name",
        "user",
        "phone",
        "post",
        "agent_type",
        "centre",
        "active",
        "public",
    ]
    list_filter = ["active", "public", "agent_type"]
    search_fields = ["full_name", "phone", "user__username", "centre__name"]
    raw_id_fields = ["user", "centre"]
    inlines = [WorkPeriodInline, TrainingInline]


@admin.register(GridAssignment)
class GridAssignmentAdmin(admin.ModelAdmin):
    """Read-only: assignments change through the API (scope, history and overlap rules)."""

    list_display = ["grid", "staff", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["grid__code", "staff__full_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeskShift)
class DeskShiftAdmin(admin.ModelAdmin):
    list_display = ["centre", "staff", "date", "start", "end"]
    date_hierarchy = "date"
    raw_id_fields = ["centre", "staff"]


@admin.register(DeskDay)
class DeskDayAdmin(admin.ModelAdmin):
    list_display = ["centre", "staff", "weekday", "start", "end"]
    raw_id_fields = ["centre", "staff"]


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    list_display = ["staff", "start", "end", "reason"]
    raw_id_fields = ["staff"]
