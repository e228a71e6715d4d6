from django.urls import path

from .api import views

urlpatterns = [
    path("appointments/", views.AppointmentList.as_view(), name="appointment-list"),
    path("appointments/unrouted/", views.UnroutedQueue.as_view(), name="appointment-unrouted"),
    path("appointments/<int:pk>/", views.AppointmentDetail.as_view(), name="appointment-detail"),
    path(
        "appointments/<int:pk>/actions/<str:action>/",
        views.AppointmentAction.as_view(),
        name="appointment-action",
    ),
    path(
        "appointments/<int:pk>/resident-id/",
        views.ResidentIdView.as_view(),
        name="appointment-resident-id",
    ),
]
