from django.urls import path

from . import views

urlpatterns = [
    path("me/tasks/", views.MyTasks.as_view(), name="my-tasks"),
    path("stations/<str:code>/work/", views.StationWork.as_view(), name="station-work"),
]
