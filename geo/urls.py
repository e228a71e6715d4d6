"""Areas, grids and point look-up, under /api/v1/ (server/urls.py); names in namespace `geo`."""

from django.urls import path

from .api import edits, proposals, uploads, views

app_name = "geo"

urlpatterns = [
    path("areas/", views.AreaList.as_view(), name="area-list"),
    path("areas/<str:code>/", views.AreaDetail.as_view(), name="area-detail"),
    path("grids/", views.GridList.as_view(), name="grid-list"),
    path("grids/merge/", edits.GridMerge.as_view(), name="grid-merge"),
    path("grids/<str:code>/", views.GridDetail.as_view(), name="grid-detail"),
    path("grids/<str:code>/history/", views.GridHistory.as_view(), name="grid-history"),
    path("grids/<str:code>/split/", edits.GridSplit.as_view(), name="grid-split"),
    path(
        "grids/<str:code>/split/preview/",
        edits.GridSplitPreview.as_view(),
        name="grid-split-preview",
    ),
    path("grids/<str:code>/retire/", edits.GridRetire.as_view(), name="grid-retire"),
    path("grid-proposals/", proposals.ProposalList.as_view(), name="proposal-list"),
    path("grid-proposals/<int:pk>/", proposals.ProposalDetail.as_view(), name="proposal-detail"),
    path(
        "grid-proposals/<int:pk>/apply/",
        proposals.ProposalApply.as_view(),
        name="proposal-apply",
    ),
    path(
        "grid-proposals/<int:pk>/reject/",
        proposals.ProposalReject.as_view(),
        name="proposal-reject",
    ),
    path(
        "grid-proposals/<int:pk>/withdraw/",
        proposals.ProposalWithdraw.as_view(),
        name="proposal-withdraw",
    ),
    path("locate/", views.Locate.as_view(), name="locate"),
    path("boundary-uploads/", uploads.BoundaryUploadList.as_view(), name="boundary-upload-list"),
    path(
        "boundary-uploads/<str:pk>/",
        uploads.BoundaryUploadDetail.as_view(),
        name="boundary-upload-detail",
    ),
    path(
        "boundary-uploads/<str:pk>/preview/",
        uploads.BoundaryUploadPreview.as_view(),
        name="boundary-upload-preview",
    ),
    path(
        "boundary-uploads/<str:pk>/apply/",
        uploads.BoundaryUploadApply.as_view(),
        name="boundary-upload-apply",
    ),
]
