"""The change log, at /api/v1/audit/ (server/urls.py); names in namespace `audit`."""

from django.urls import path

from . import api

app_name = "audit"

urlpatterns = [
    path("", api.ChangeList.as_view(), name="audit-change-list"),
    path("resident-id-reads/", api.ResidentIdReadList.as_view(), name="audit-resident-id-reads"),
]
