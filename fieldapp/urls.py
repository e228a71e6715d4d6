"""The field app, at /app/ (server/urls.py); names in namespace `fieldapp`."""

from django.urls import path

from . import views

app_name = "fieldapp"

urlpatterns = [
    path("", views.app_shell, name="shell"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
