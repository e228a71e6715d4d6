from django.urls import path

from .api import views

urlpatterns = [
    path("tiles/<str:layer>/<str:z>/<str:x>/<str:y>.pbf", views.TileView.as_view(), name="tile"),
]
