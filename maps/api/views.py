"""The map page's JSON: a grid's panel, and the zone console's reads (edit mode)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..console import grid_staffing, station_agents
from ..selectors import grid_panel
from .serializers import GridPanelSerializer, GridStaffingSerializer, StationAgentsSerializer

NO_STORE = {"Cache-Control": "no-store"}


class GridPanel(APIView):
    @extend_schema(tags=["map"], responses={200: GridPanelSerializer})
    def get(self, request, code: str):
        """A grid's agents today (primary first) with their open work and overdue cases, its
        open appointments with their light, and its agents' overdue cases the requester may
        see. A grid out of the requester's scope answers 404 `unknown_grid`."""
        panel = grid_panel(user=request.user, code=code)
        return Response(GridPanelSerializer(panel).data)


class GridStaffing(APIView):
    @extend_schema(tags=["map"], responses={200: GridStaffingSerializer})
    def get(self, request, code: str):
        """The zone console's staffing panel: a grid's primary and backup assignments (today's
        and later ones, with their ids for the assignment endpoints), each agent's open work,
        cap, leave and last training; whether the requester may change them; its station. A
        grid out of scope answers 404 `unknown_grid`."""
        body = GridStaffingSerializer(grid_staffing(user=request.user, code=code)).data
        return Response(body, headers=NO_STORE)


class StationAgents(APIView):
    @extend_schema(tags=["map"], responses={200: StationAgentsSerializer})
    def get(self, request, code: str):
        """A station's active agents (the centre's division code) with the grids each covers
        today and their open work, leave and training. Out of scope answers 404
        `unknown_centre`, as a missing centre does."""
        body = StationAgentsSerializer(station_agents(user=request.user, code=code)).data
        return Response(body, headers=NO_STORE)
