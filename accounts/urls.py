"""Log-in and device tokens, at /api/v1/auth/ (server/urls.py); names in namespace `accounts`."""

from django.urls import path

from . import api

app_name = "accounts"

urlpatterns = [
    path("login/", api.LoginView.as_view(), name="auth-login"),
    path("logout/", api.LogoutView.as_view(), name="auth-logout"),
    path("logout-all/", api.LogoutAllView.as_view(), name="auth-logout-all"),
    path("tokens/", api.TokenList.as_view(), name="auth-tokens"),
    path("tokens/<int:token_id>/revoke/", api.TokenRevoke.as_view(), name="auth-token-revoke"),
]
