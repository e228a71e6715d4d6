"""The coverage review page, at /map/ (server/urls.py); names in namespace `maps`."""

from django.urls import path

from . import boundaries, views

app_name = "maps"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("boundaries/", boundaries.boundaries_page, name="boundaries"),
    path("login/", views.MapLoginView.as_view(), name="login"),
    path("logout/", views.MapLogoutView.as_view(), name="logout"),
]
