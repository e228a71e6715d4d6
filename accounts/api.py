"""Mobile login: one token per device, revocable one by one or all at once."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import DeviceToken


class LoginInput(serializers.Serializer):
    username = serializers.CharField(help_text="Username or mobile phone number.", max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    device = serializers.CharField(required=False, allow_blank=True, max_length=100)


class LoginUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class LoginOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown once.")
    token_id = serializers.IntegerField()
    user = LoginUserSerializer()


class TokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = DeviceToken
        fields = ["id", "prefix", "device", "created_at", "last_used_at", "current"]

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, DeviceToken) and auth.pk == token.pk


class RevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField()


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=["auth"],
        request=LoginInput,
        responses={200: LoginOutput},
        examples=[
            OpenApiExample(
                "Phone login",
                value={"username": "13904270001", "password": "…", "device": "Huawei P60"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user, raw = services.login_with_password(
            request=request,
            identifier=data.validated_data["username"],
            password=data.validated_data["password"],
            device=data.validated_data.get("device", ""),
        )
        token = DeviceToken.objects.get(digest=services.token_digest(raw))
        body = {
            "token": raw,
            "token_id": token.pk,
            "user": {"id": user.pk, "username": user.username},
        }
        return Response(LoginOutput(body).data)


class LogoutView(APIView):
    @extend_schema(tags=["auth"], request=None, responses={200: RevokedSerializer})
    def post(self, request):
        """Revoke the token this request was made with."""
        if isinstance(request.auth, DeviceToken):
            services.token_revoke(user=request.user, token_id=request.auth.pk)
            return Response({"revoked": 1})
        return Response({"revoked": 0})


class LogoutAllView(APIView):
    @extend_schema(tags=["auth"], request=None, responses={200: RevokedSerializer})
    def post(self, request):
        """Revoke every token of the user: every device is logged out."""
        return Response({"revoked": services.tokens_revoke_all(user=request.user)})


class TokenList(APIView):
    @extend_schema(tags=["auth"], responses={200: TokenSerializer(many=True)})
    def get(self, request):
        """The user's active logins (devices)."""
        tokens = DeviceToken.objects.filter(user=request.user, revoked_at__isnull=True)
        return Response(TokenSerializer(tokens, many=True, context={"request": request}).data)


class TokenRevoke(APIView):
    @extend_schema(tags=["auth"], request=None, responses={200: RevokedSerializer})
    def post(self, request, token_id: int):
        """Revoke one login, for example a lost phone's, from another device."""
        services.token_revoke(user=request.user, token_id=token_id)
        return Response({"revoked": 1}, status=status.HTTP_200_OK)
