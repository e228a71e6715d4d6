"""Suggestions and complaints, under /api/v1/ (server/urls.py); names in namespace `feedback`."""

from django.urls import path

from .api import views

app_name = "feedback"

urlpatterns = [
    path("suggestions/", views.SuggestionList.as_view(), name="suggestion-list"),
    path("suggestions/<int:pk>/reply/", views.SuggestionReply.as_view(), name="suggestion-reply"),
    path(
        "suggestions/<int:pk>/visibility/",
        views.SuggestionVisibility.as_view(),
        name="suggestion-visibility",
    ),
    path(
        "board/<str:code>/suggestions/",
        views.BoardSuggestions.as_view(),
        name="board-suggestions",
    ),
    path("complaints/", views.ComplaintList.as_view(), name="complaint-list"),
    path(
        "complaints/track/<str:tracking_code>/",
        views.ComplaintTrack.as_view(),
        name="complaint-track",
    ),
    path("complaints/<int:pk>/", views.ComplaintDetail.as_view(), name="complaint-detail"),
    path(
        "complaints/<int:pk>/actions/<str:action>/",
        views.ComplaintAction.as_view(),
        name="complaint-action",
    ),
]
