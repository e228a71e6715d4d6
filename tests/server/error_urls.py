"""A URL map for the error-shape tests: a view that fails, and one that validates input."""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

import server.urls


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField()


@api_view(["GET"])
@permission_classes([AllowAny])
def boom(request):
    raise RuntimeError("deliberate failure")


@api_view(["POST"])
@permission_classes([AllowAny])
def echo(request):
    serializer = EchoSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return Response(serializer.validated_data)


urlpatterns = [
    path("api/v1/boom/", boom),
    path("api/v1/echo/", echo),
    path("", include(server.urls)),
]
handler404 = server.urls.handler404
handler500 = server.urls.handler500
