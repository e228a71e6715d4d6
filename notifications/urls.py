"""The signed-in user's notifications, at /api/v1/me/notifications/ (server/urls.py); names
in namespace `notifications`."""

from django.urls import path

from . import api

app_name = "notifications"

urlpatterns = [
    path("", api.MyNotifications.as_view(), name="my-notifications"),
    path("read-all/", api.MarkAllRead.as_view(), name="my-notifications-read-all"),
    path("<int:pk>/read/", api.MarkRead.as_view(), name="my-notification-read"),
]
