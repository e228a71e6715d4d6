"""The coverage review page, at /map/ (server/urls.py); names in namespace `maps`."""

from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("login/", views.MapLoginView.as_view(), name="login"),
    path("logout/", views.MapLogoutView.as_view(), name="logout"),
]
