from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import DeviceToken, User

admin.site.register(User, UserAdmin)


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    """Administrators can see devices and revoke a lost phone's login (set revoked at)."""

    list_display = ["user", "prefix", "device", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "device"]
    readonly_fields = ["user", "digest", "prefix", "device", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
