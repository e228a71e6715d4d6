"""What the grid API's views share: scoped look-ups (out of scope answers 404, as missing), the
editor check, and output in the requested crs."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import NotFound, PermissionDenied

from .. import access, services
from ..geometry import parse_crs
from ..models import Area, Grid
from . import serializers as s
from .fields import output_crs
from .versions import current_on_mismatch


def visible_area(user, code: str) -> Area:
    """The area with this code if the requester may see it; 404 otherwise (same answer)."""
    area = services.area_get(code=code)
    if not access.policy().areas(user, Area.objects.filter(pk=area.pk)).exists():
        raise NotFound(
            "unknown_area",
            _("No area with code %(code)s.") % {"code": code},
            details={"code": code},
        )
    return area


def require_editor(user, community: Area) -> None:
    if not access.policy().may_edit_grids_in(user, community):
        raise PermissionDenied(
            "permission_denied",
            _("You may not change grids in %(name)s.") % {"name": community.name},
        )


class CrsContextMixin:
    def get_serializer_context(self):
        return {**super().get_serializer_context(), "crs": output_crs(self.request)}

    def grid_feature(self, code: str) -> dict:
        """The grid as GET /grids/{code}/ answers it, in the request's crs."""
        return s.GridDetailSerializer(
            grid_get(code, self.request.user), context=self.get_serializer_context()
        ).data

    def current_on_mismatch(self):
        return current_on_mismatch(self.grid_feature)

    def write_crs(self, data: dict) -> str:
        """The coordinate system of a write: the body's `crs`, else `?crs=`."""
        return parse_crs(data.get("crs")) if data.get("crs") else output_crs(self.request)


def grid_queryset():
    return Grid.objects.select_related("community").annotate(version=Max("boundaries__version"))


def grid_get(code: str, user) -> Grid:
    grid = access.policy().grids(user, grid_queryset()).filter(code=code).first()
    if grid is None:
        raise NotFound(
            "unknown_grid",
            _("No grid with code %(code)s.") % {"code": code},
            details={"code": code},
        )
    return grid
