"""Shapes of the grid panel (maps.selectors.grid_panel); no rules here."""

from __future__ import annotations

from rest_framework import serializers


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
    kind = serializers.ChoiceField(choices=["primary", "backup"])
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
