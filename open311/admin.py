"""Admin: administrators issue a key per Open311 client and deactivate it. The raw key is shown
once, in a message after saving; only its digest is stored."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import keys
from .models import ApiKey, Submission


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["deactivate"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name"]  # a new key is active; its secret is made on saving
        return ["name", "active", "prefix", "created_at", "last_used_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: what a client filed stays attributable

    def save_model(self, request, obj, form, change):
        raw = None if change else keys.issue(obj)
        super().save_model(request, obj, form, change)
        if raw is not None:
            messages.warning(
                request,
                _(
                    "The API key for %(name)s is %(key)s — copy it now and hand it to the "
                    "client: only its hash is kept, and it will not be shown again."
                )
                % {"name": obj.name, "key": raw},
            )

    @admin.action(description=gettext_lazy("Deactivate the selected keys"))
    def deactivate(self, request, queryset):
        count = queryset.filter(active=True).update(active=False)
        messages.success(request, _("%(count)d key(s) deactivated.") % {"count": count})


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Which client filed which appointment: read-only."""

    list_display = ["appointment", "api_key", "created_at", "media_url"]
    list_select_related = ["appointment", "api_key"]
    search_fields = ["appointment__tracking_code", "api_key__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
