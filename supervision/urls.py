"""Figures, assessment, notices and inspections, under /api/v1/ (server/urls.py); names in
namespace `supervision`."""

from django.urls import path

from .api import views

app_name = "supervision"

urlpatterns = [
    path("stats/", views.StatsView.as_view(), name="supervision-stats"),
    path("assessment/schemes/", views.SchemeList.as_view(), name="assessment-scheme-list"),
    path(
        "assessment/schemes/<int:pk>/publish/",
        views.SchemePublish.as_view(),
        name="assessment-scheme-publish",
    ),
    path("assessment/<slug:code>/", views.AssessmentView.as_view(), name="assessment"),
    path("notices/", views.NoticeList.as_view(), name="notice-list"),
    path("notices/rules/", views.NoticeRuleList.as_view(), name="notice-rule-list"),
    path("notices/<int:pk>/", views.NoticeDetail.as_view(), name="notice-detail"),
    path("notices/<int:pk>/issue/", views.NoticeIssue.as_view(), name="notice-issue"),
    path("notices/<int:pk>/dismiss/", views.NoticeDismiss.as_view(), name="notice-dismiss"),
    path("public/notices/", views.PublicNoticeList.as_view(), name="public-notice-list"),
    path("inspections/", views.InspectionList.as_view(), name="inspection-list"),
    path(
        "inspections/checklist/",
        views.InspectionChecklist.as_view(),
        name="inspection-checklist",
    ),
    path("inspections/<int:pk>/", views.InspectionDetail.as_view(), name="inspection-detail"),
    path(
        "inspections/<int:pk>/photos/",
        views.InspectionPhotos.as_view(),
        name="inspection-photos",
    ),
    path(
        "inspections/<int:pk>/photos/<int:photo_pk>/file/",
        views.InspectionPhotoFile.as_view(),
        name="inspection-photo-file",
    ),
]
