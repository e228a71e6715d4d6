"""The map page's JSON, under /api/v1/."""

from django.urls import path

from .api import views

urlpatterns = [
    path("grids/<str:code>/panel/", views.GridPanel.as_view(), name="grid-panel"),
]
