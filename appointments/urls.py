"""Appointments, at /api/v1/appointments/ (server/urls.py); names in namespace `appointments`."""

from django.urls import path

from .api import views

app_name = "appointments"

urlpatterns = [
    path("", views.AppointmentList.as_view(), name="appointment-list"),
    path("unrouted/", views.UnroutedQueue.as_view(), name="appointment-unrouted"),
    path("<int:pk>/", views.AppointmentDetail.as_view(), name="appointment-detail"),
    path(
        "<int:pk>/actions/<str:action>/",
        views.AppointmentAction.as_view(),
        name="appointment-action",
    ),
    path(
        "<int:pk>/resident-id/",
        views.ResidentIdView.as_view(),
        name="appointment-resident-id",
    ),
]
