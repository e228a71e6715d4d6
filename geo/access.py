"""Who may see and change areas and grids, as a pluggable policy.

The spatial core knows nothing of people or roles; the policy object named by
settings.GEO_ACCESS_POLICY decides (people.scope.PeopleGeoPolicy in this project). The default
here is for the core alone: any logged-in user reads, users with geo.change_grid write.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class DefaultGeoPolicy:
    def areas(self, user, qs):
        return qs

    def grids(self, user, qs):
        return qs

    def may_edit_grids_in(self, user, community) -> bool:
        return user.has_perm("geo.change_grid")

    def managed_area_ids(self, user) -> frozenset[int] | None:
        """The areas whose grids `user` may change; None for everywhere (an edit reaching
        beyond them becomes a proposal, geo.proposals)."""
        return None if user.has_perm("geo.change_grid") else frozenset()

    def may_import_boundaries(self, user) -> bool:
        """Boundary files from the browser replace areas and grids anywhere: a district's
        concern (geo.uploads)."""
        return user.has_perm("geo.change_area") and user.has_perm("geo.change_grid")


@cache
def _policy_class():
    return import_string(getattr(settings, "GEO_ACCESS_POLICY", "geo.access.DefaultGeoPolicy"))


def policy():
    return _policy_class()()
