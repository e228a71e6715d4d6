"""The map page's JSON, under /api/v1/ (server/urls.py); names in namespace `maps_api`."""

from django.urls import path

from .api import views

app_name = "maps_api"

urlpatterns = [
    path("grids/<str:code>/panel/", views.GridPanel.as_view(), name="grid-panel"),
    path("grids/<str:code>/staffing/", views.GridStaffing.as_view(), name="grid-staffing"),
    path("centres/<str:code>/agents/", views.StationAgents.as_view(), name="station-agents"),
]
