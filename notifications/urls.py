from django.urls import path

from . import api

urlpatterns = [
    path("me/notifications/", api.MyNotifications.as_view(), name="my-notifications"),
    path("me/notifications/read-all/", api.MarkAllRead.as_view(), name="my-notifications-read-all"),
    path("me/notifications/<int:pk>/read/", api.MarkRead.as_view(), name="my-notification-read"),
]
