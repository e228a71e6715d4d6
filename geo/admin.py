"""Admin for the spatial core. Geometry is edited as GeoJSON text (no web map from a CDN), and
every write goes through geo.services, so the admin obeys the same rules as the API."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

from . import rules, services
from .geometry import geojson, parse_geometry
from .models import Area, Grid, GridBoundary, GridProposal, ServiceCentre


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    """Areas change by `import_boundaries` (all rules, all or nothing); here they are read."""

    list_display = ["code", "name", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "level", "kind", "parent", "boundary_source", "updated_at"]
    exclude = ["boundary"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "phone", "acceptance"]
    list_filter = ["acceptance", "area__level"]
    search_fields = ["name", "area__code", "address"]
    readonly_fields = ["area", "location"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GridForm(forms.ModelForm):
    boundary_geojson = forms.CharField(
        label=_("boundary (GeoJSON Polygon or MultiPolygon, WGS-84)"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 100}),
        required=False,
        help_text=_("Leave unchanged to keep the current boundary; a change adds a new version."),
    )

    class Meta:
        model = Grid
        fields = ["code", "name", "community"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Area.objects.filter(level=Area.Level.COMMUNITY)
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["community"].disabled = True
            self.initial["boundary_geojson"] = json.dumps(geojson(self.instance.boundary))
        else:
            self.fields["code"].required = False
            self.fields["boundary_geojson"].required = True

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("boundary_geojson") or ""
        community = cleaned.get("community") or getattr(self.instance, "community", None)
        self.new_boundary = None
        if not text.strip() or (self.instance.pk and text == self.initial.get("boundary_geojson")):
            return cleaned
        try:
            boundary = parse_geometry(json.loads(text), field="boundary")
            if community is not None:
                rules.check_inside_parent(boundary, community, what=str(_("grid")))
                exclude = [self.instance.pk] if self.instance.pk else []
                rules.check_no_grid_overlap(boundary, community, exclude_grid_ids=exclude)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError({"boundary_geojson": str(exc)}) from None
        except ApplicationError as exc:
            raise forms.ValidationError(
                {"boundary_geojson": f"{exc.code}: {exc.message}"}
            ) from None
        self.new_boundary = boundary
        return cleaned


class GridBoundaryInline(admin.TabularInline):
    model = GridBoundary
    fields = ["version", "valid_from", "valid_to", "created_by", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    form = GridForm
    list_display = ["code", "name", "community", "created_at", "retired_at"]
    list_filter = [("retired_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "community__name", "community__code"]
    inlines = [GridBoundaryInline]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = services.grid_update(
                    grid=obj,
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    boundary=form.new_boundary,
                    note="admin",
                )
            else:
                saved = services.grid_create(
                    community=form.cleaned_data["community"],
                    code=form.cleaned_data.get("code") or None,
                    name=form.cleaned_data["name"],
                    boundary=form.new_boundary,
                    actor=request.user,
                    note="admin",
                )
        except ApplicationError as exc:  # a race lost since clean(): say so, change nothing
            raise forms.ValidationError(f"{exc.code}: {exc.message}") from None
        obj.pk = saved.pk


@admin.register(GridProposal)
class GridProposalAdmin(admin.ModelAdmin):
    """Read-only: proposals are made, applied and rejected through geo.proposals (the API)."""

    list_display = ["pk", "grid", "reason", "status", "proposed_by", "proposed_at", "decided_by"]
    list_filter = ["status", "reason"]
    search_fields = ["grid__code", "grid__name", "proposed_by__username"]
    list_select_related = ["grid", "proposed_by", "decided_by"]
    exclude = ["before", "after"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
