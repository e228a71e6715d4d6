"""Serializer helpers shared by the apps."""

from __future__ import annotations

import copy

from rest_framework import serializers


class CachedFieldsMixin:
    """Build a ModelSerializer's fields once per class, then hand each instance a copy.

    DRF builds them again for every serializer instance by introspecting the model (~1.5 ms on
    our machines for twenty fields): on a hot single-object response that is half of the
    serialising. The fields depend only on the class (Meta and declared fields), so a copy of
    the first build is the same set."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return copy.deepcopy(built)


class ActionOfferSerializer(serializers.Serializer):
    """An action the requester may take now (read off an action table: appointments, cases),
    the fields it needs and, where the app must pick one, the choices (`to`: [{id, name}];
    `checklist`: [{key, name}])."""

    action = serializers.CharField()
    needs = serializers.ListField(child=serializers.CharField())
    choices = serializers.DictField(required=False)
