from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "recipient",
        "kind",
        "title",
        "created_at",
        "delivered_at",
        "read_at",
        "attempts",
    ]
    list_filter = ["kind", ("delivered_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
