"""The catch-up sync, at /api/v1/sync/ (server/urls.py); names in namespace `sync`."""

from django.urls import path

from . import api

app_name = "sync"

urlpatterns = [path("", api.Sync.as_view(), name="sync")]
