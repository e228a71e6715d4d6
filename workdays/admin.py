from django.contrib import admin

from .models import CalendarYear, SpecialDay


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Add next year here (published) once its special days are entered below."""

    list_display = ["year", "published", "source"]


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
