"""The field app's task lists, under /api/v1/ (server/urls.py); names in namespace `mobile_api`."""

from django.urls import path

from . import views

app_name = "mobile_api"

urlpatterns = [
    path("me/tasks/", views.MyTasks.as_view(), name="my-tasks"),
    path("stations/<str:code>/work/", views.StationWork.as_view(), name="station-work"),
]
