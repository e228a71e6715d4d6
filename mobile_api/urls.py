"""The field app's task lists and the desk's queues, under /api/v1/ (server/urls.py); names in
namespace `mobile_api`."""

from django.urls import path

from . import desk_views, views

app_name = "mobile_api"

urlpatterns = [
    path("me/tasks/", views.MyTasks.as_view(), name="my-tasks"),
    path("stations/<str:code>/work/", views.StationWork.as_view(), name="station-work"),
    path("desk/", desk_views.Desk.as_view(), name="desk"),
    path("desk/queues/<str:key>/", desk_views.DeskQueue.as_view(), name="desk-queue"),
]
