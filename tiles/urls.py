"""Vector tiles, at /api/v1/tiles/ (server/urls.py); names in namespace `tiles`."""

from django.urls import path

from .api import views

app_name = "tiles"

urlpatterns = [
    path("<str:layer>/<str:z>/<str:x>/<str:y>.pbf", views.TileView.as_view(), name="tile"),
]
