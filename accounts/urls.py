from django.urls import path

from . import api

urlpatterns = [
    path("auth/login/", api.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", api.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", api.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/tokens/", api.TokenList.as_view(), name="auth-tokens"),
    path("auth/tokens/<int:token_id>/revoke/", api.TokenRevoke.as_view(), name="auth-token-revoke"),
]
