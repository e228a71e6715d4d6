"""Shapes of the grid panel (maps.selectors.grid_panel); no rules here."""

from __future__ import annotations

from rest_framework import serializers

from people.models import GridAssignment


class _Community(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _Grid(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    active = serializers.BooleanField()
    community = _Community()


class _Agent(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    post = serializers.CharField()
    phone = serializers.CharField()
    kind = serializers.ChoiceField(choices=GridAssignment.Kind.choices)
    kind_display = serializers.CharField()
    open_work = serializers.IntegerField()
    overdue = serializers.IntegerField()


class _Appointment(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    item = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    light = serializers.ChoiceField(choices=["red", "yellow", "green"], allow_null=True)
    agent = serializers.CharField(allow_null=True)
    preferred_start = serializers.DateTimeField(allow_null=True)


class _Overdue(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    item = serializers.CharField()
    agent = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    status_display = serializers.CharField()


class GridPanelSerializer(serializers.Serializer):
    grid = _Grid()
    date = serializers.DateField()
    agents = _Agent(many=True)
    appointments = _Appointment(many=True)
    overdue = _Overdue(many=True)


# --- the zone console (maps.console) ------------------------------------------------------


class _Leave(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class _Training(serializers.Serializer):
    date = serializers.DateField()
    topic = serializers.CharField()


class ConsoleAgentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    post = serializers.CharField()
    phone = serializers.CharField()
    open_work = serializers.IntegerField()
    open_work_cap = serializers.IntegerField()
    on_leave_until = serializers.DateTimeField(allow_null=True)
    next_leave = _Leave(allow_null=True)
    last_training = _Training(allow_null=True)
    trainings_last_year = serializers.IntegerField()


class _StaffingAssignment(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=GridAssignment.Kind.choices)
    kind_display = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    current = serializers.BooleanField()
    agent = ConsoleAgentSerializer()


class _CentreRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class GridStaffingSerializer(serializers.Serializer):
    grid = _Grid()
    date = serializers.DateField()
    may_edit = serializers.BooleanField()
    has_primary = serializers.BooleanField()
    centre = _CentreRef(allow_null=True)
    assignments = _StaffingAssignment(many=True)


class _AgentGrid(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=GridAssignment.Kind.choices)
    assignment = serializers.IntegerField()


class _StationAgent(ConsoleAgentSerializer):
    grids = _AgentGrid(many=True)


class StationAgentsSerializer(serializers.Serializer):
    centre = _CentreRef()
    may_edit = serializers.BooleanField()
    agents = _StationAgent(many=True)
    grids_without_primary = serializers.ListField(child=serializers.CharField())
