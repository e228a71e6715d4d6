"""Factories for people: a user with a staff profile in one call."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from people.models import AgentType, Role, Staff

_phones = itertools.count(13800000001)


def make_staff(
    username: str, roles, *, centre=None, agent_type: str = "", password: str = "pw-12345", **extra
) -> Staff:
    user = get_user_model().objects.create_user(username, password=password)
    roles = [roles] if isinstance(roles, str) else list(roles)
    if Role.AGENT in roles and not agent_type:
        agent_type = AgentType.GRID_WORKER
    return Staff.objects.create(
        user=user,
        full_name=extra.pop("full_name", username),
        phone=extra.pop("phone", str(next(_phones))),
        roles=roles,
        centre=centre,
        agent_type=agent_type,
        **extra,
    )


def client_for(staff_or_user) -> APIClient:
    user = getattr(staff_or_user, "user", staff_or_user)
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client
