"""Staff, assignments, desks, coverage and the public board's JSON, under /api/v1/ (server/urls.py);
names in namespace `people`."""

from django.urls import path

from .api import views

app_name = "people"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/positions/", views.MyPositions.as_view(), name="me-positions"),
    path("staff/", views.StaffList.as_view(), name="staff-list"),
    path("staff/<int:staff_id>/", views.StaffDetail.as_view(), name="staff-detail"),
    path("staff/<int:staff_id>/positions/", views.StaffPositions.as_view(), name="staff-positions"),
    path("staff/<int:staff_id>/leave/", views.StaffLeave.as_view(), name="staff-leave"),
    path(
        "staff/<int:staff_id>/availability/",
        views.StaffAvailability.as_view(),
        name="staff-availability",
    ),
    path("staff/<int:staff_id>/trainings/", views.StaffTrainings.as_view(), name="staff-trainings"),
    path("grids/<str:code>/assignments/", views.GridAssignments.as_view(), name="grid-assignments"),
    path(
        "grids/<str:code>/assignments/<int:assignment_id>/end/",
        views.AssignmentEnd.as_view(),
        name="assignment-end",
    ),
    path("assignments/bulk/", views.AssignmentsBulk.as_view(), name="assignments-bulk"),
    path("centres/<str:code>/desk/", views.CentreDesk.as_view(), name="centre-desk"),
    path("centres/<str:code>/desk-gaps/", views.CentreDeskGaps.as_view(), name="centre-desk-gaps"),
    path("centres/<str:code>/shifts/", views.CentreShifts.as_view(), name="centre-shifts"),
    path("centres/<str:code>/desk-days/", views.CentreDeskDays.as_view(), name="centre-desk-days"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("public/stations/<str:code>/", views.PublicBoard.as_view(), name="public-board"),
]
