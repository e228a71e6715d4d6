from django.urls import path

from . import api

urlpatterns = [
    path("calendar/", api.CalendarView.as_view(), name="calendar"),
    path("calendar/add/", api.AddWorkdaysView.as_view(), name="calendar-add"),
]
