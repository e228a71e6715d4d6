"""The outbox the app polls: GET /api/v1/me/notifications/, mark one or all read."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import query_bool
from core.api.pagination import CURSOR_PARAMETERS, cursor_page, cursor_page_of
from core.errors import NotFound

from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at"]


class CountSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class MyNotifications(APIView):
    @extend_schema(
        tags=["me"],
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL), *CURSOR_PARAMETERS],
        responses={200: cursor_page_of(NotificationSerializer)},
        operation_id="me_notifications_list",
    )
    def get(self, request):
        rows = Notification.objects.filter(recipient=request.user)
        if query_bool(request, "unread"):
            rows = rows.filter(read_at__isnull=True)
        return cursor_page(request, self, rows, NotificationSerializer, {})


class MarkRead(APIView):
    @extend_schema(tags=["me"], request=None, responses={200: CountSerializer})
    def post(self, request, pk: int):
        updated = Notification.objects.filter(
            recipient=request.user, pk=pk, read_at__isnull=True
        ).update(read_at=timezone.now())
        if not updated and not Notification.objects.filter(recipient=request.user, pk=pk).exists():
            raise NotFound("unknown_notification", _("No such notification."))
        return Response({"marked": updated})


class MarkAllRead(APIView):
    @extend_schema(tags=["me"], request=None, responses={200: CountSerializer})
    def post(self, request):
        updated = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return Response({"marked": updated})
