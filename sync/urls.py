from django.urls import path

from . import api

urlpatterns = [path("sync/", api.Sync.as_view(), name="sync")]
