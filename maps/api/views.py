"""GET /api/v1/grids/{code}/panel/ — what the map's side panel shows for a grid."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import grid_panel
from .serializers import GridPanelSerializer


class GridPanel(APIView):
    @extend_schema(tags=["map"], responses={200: GridPanelSerializer})
    def get(self, request, code: str):
        """A grid's agents today (primary first) with their open work and overdue cases, its
        open appointments with their light, and its agents' overdue cases the requester may
        see. A grid out of the requester's scope answers 404 `unknown_grid`."""
        panel = grid_panel(user=request.user, code=code)
        return Response(GridPanelSerializer(panel).data)
