"""The working-day calendar, at /api/v1/calendar/ (server/urls.py); names in namespace `workdays`."""

from django.urls import path

from . import api

app_name = "workdays"

urlpatterns = [
    path("", api.CalendarView.as_view(), name="calendar"),
    path("add/", api.AddWorkdaysView.as_view(), name="calendar-add"),
]
