"""Home visits, at /api/v1/visits/ (server/urls.py); names in namespace `visits`."""

from django.urls import path

from .api import views

app_name = "visits"

urlpatterns = [
    path("", views.VisitList.as_view(), name="visit-list"),
    path("<int:pk>/", views.VisitDetail.as_view(), name="visit-detail"),
    path("<int:pk>/check-in/", views.CheckIn.as_view(), name="visit-check-in"),
    path("<int:pk>/check-out/", views.CheckOut.as_view(), name="visit-check-out"),
    path("<int:pk>/cancel/", views.Cancel.as_view(), name="visit-cancel"),
]
