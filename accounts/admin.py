from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .forms import BrakedAdminAuthenticationForm
from .models import AttemptCounter, DeviceToken, User

admin.site.register(User, UserAdmin)
# /admin/login/ checks passwords through the brake every log-in shares (ADR 0024)
admin.site.login_form = BrakedAdminAuthenticationForm


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    """Administrators can see devices and revoke a lost phone's login (set revoked at)."""

    list_display = ["user", "prefix", "device", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "device"]
    readonly_fields = ["user", "digest", "prefix", "device", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AttemptCounter)
class AttemptCounterAdmin(admin.ModelAdmin):
    """The brake's counters (ADR 0024): an administrator lifts a lock by deleting its row.
    Keys name an account by id; addresses, unknown names and codes only by a digest."""

    list_display = ["key", "failures", "started_at", "locked_until", "expires_at"]
    search_fields = ["key"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
