"""Service items, windows and notices, under /api/v1/ (server/urls.py); names in namespace
`catalogue`."""

from django.urls import path

from .api import views

app_name = "catalogue"

urlpatterns = [
    path("service-items/", views.ServiceItemList.as_view(), name="service-item-list"),
    path(
        "service-items/<str:code>/", views.ServiceItemDetail.as_view(), name="service-item-detail"
    ),
    path(
        "service-items/<str:code>/versions/",
        views.ServiceItemVersions.as_view(),
        name="service-item-versions",
    ),
    path(
        "service-items/<str:code>/notice.json",
        views.NoticeJSON.as_view(),
        name="service-item-notice-json",
    ),
    path(
        "service-items/<str:code>/notice.pdf",
        views.NoticePDF.as_view(),
        name="service-item-notice-pdf",
    ),
    path("windows/", views.WindowList.as_view(), name="window-list"),
    path("centres/<str:code>/service-items/", views.CentreItems.as_view(), name="centre-items"),
]
