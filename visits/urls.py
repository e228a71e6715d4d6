from django.urls import path

from .api import views

urlpatterns = [
    path("visits/", views.VisitList.as_view(), name="visit-list"),
    path("visits/<int:pk>/", views.VisitDetail.as_view(), name="visit-detail"),
    path("visits/<int:pk>/check-in/", views.CheckIn.as_view(), name="visit-check-in"),
    path("visits/<int:pk>/check-out/", views.CheckOut.as_view(), name="visit-check-out"),
    path("visits/<int:pk>/cancel/", views.Cancel.as_view(), name="visit-cancel"),
]
