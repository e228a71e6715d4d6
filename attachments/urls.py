"""Attachments of cases and visits, under /api/v1/ (server/urls.py); names in namespace
`attachments`."""

from django.urls import path

from .api import views

app_name = "attachments"

urlpatterns = [
    path(
        "cases/<int:pk>/attachments/",
        views.CaseAttachments.as_view(),
        name="case-attachments",
    ),
    path(
        "visits/<int:pk>/attachments/",
        views.VisitAttachments.as_view(),
        name="visit-attachments",
    ),
    path("attachments/<int:pk>/", views.AttachmentDetail.as_view(), name="attachment-detail"),
    path("attachments/<int:pk>/file", views.AttachmentFile.as_view(), name="attachment-file"),
]
