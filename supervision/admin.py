"""Admin: schemes and rules are data the district defines; notices and inspections are read
here (the review and the recording go through supervision.services, which check and record)."""

from django.contrib import admin

from .models import (
    AssessmentScheme,
    Indicator,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Notice,
    NoticeRule,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ["figure", "weight", "direction", "method", "target", "best", "worst", "missing_score"]
    readonly_fields = fields


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    """Versions are created and published through the API (services check them); here the
    only change is switching a published version on or off."""

    list_display = ["code", "version", "name", "level", "period_kind", "active", "published_at"]
    list_filter = ["level", "period_kind", "active"]
    search_fields = ["code", "name"]
    fields = ["code", "version", "name", "level", "period_kind", "note", "active", "published_at"]
    readonly_fields = ["code", "version", "name", "level", "period_kind", "note", "published_at"]
    inlines = [IndicatorInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NoticeRule)
class NoticeRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "figure",
        "comparison",
        "threshold",
        "level",
        "period_kind",
        "active",
    ]
    list_filter = ["kind", "level", "period_kind", "active"]
    readonly_fields = ["created_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["rule", "unit_name", "period", "value", "status", "proposed_at", "reviewed_at"]
    list_filter = ["status", "level", "rule"]
    search_fields = ["unit_name", "public_unit_name", "text"]
    list_select_related = ["rule"]


class InspectionItemInline(ReadOnlyInline):
    model = InspectionItem
    fields = ["key", "label", "max_score", "score", "note"]
    readonly_fields = fields


class InspectionPhotoInline(ReadOnlyInline):
    model = InspectionPhoto
    fields = ["content_type", "size", "width", "height", "note", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["centre", "date", "total", "max_total", "inspector"]
    list_filter = ["date"]
    search_fields = ["centre__name", "centre__area__code", "findings"]
    list_select_related = ["centre", "inspector"]
    inlines = [InspectionItemInline, InspectionPhotoInline]
