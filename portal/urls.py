"""The residents' pages, at the site's root (server/urls.py); names in namespace `portal`."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("visit/", views.visit, name="visit"),
    path("visit/point/", views.point, name="point"),
    path("follow/", views.follow, name="follow"),
    path("follow/rate/", views.rate, name="rate"),
    path("suggest/", views.suggest, name="suggest"),
    path("complain/", views.complain, name="complain"),
    path("complaint/", views.complaint_follow, name="complaint-follow"),
    path("text-size/", views.text_size, name="text-size"),
]
