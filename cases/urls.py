"""Cases, the register and public tracking, under /api/v1/ (server/urls.py); names in namespace
`cases`."""

from django.urls import path

from .api import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="case-list"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="case-detail"),
    path("cases/<int:pk>/actions/<str:action>/", views.CaseAction.as_view(), name="case-action"),
    path("cases/<int:pk>/receipt.pdf", views.CaseReceipt.as_view(), name="case-receipt"),
    path("cases/<int:pk>/resident-id/", views.CaseResidentId.as_view(), name="case-resident-id"),
    path("register/", views.Register.as_view(), name="register"),
    path("register/heads/", views.RegisterHeads.as_view(), name="register-heads"),
    path("track/<str:code>/", views.Track.as_view(), name="track"),
    path("track/<str:code>/rating/", views.TrackRating.as_view(), name="track-rating"),
]
