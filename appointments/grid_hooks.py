"""Grid edits re-route the open appointments they move, in the edit's own transaction.

Named in settings.GEO_EDIT_HOOKS (geo.hooks): the spatial core calls it without importing it.
The rule of which appointments an edit affects and how they are routed again is the routing
sweep's (`sweeps.reroute_for_grid_edit`); this module only reports what it did.
"""

from __future__ import annotations

from geo.hooks import GridChange
from geo.models import Grid
from people.models import Staff

from .sweeps import reroute_for_grid_edit


def reroute_changed_grids(change: GridChange) -> None:
    done = reroute_for_grid_edit(
        grid_ids=change.grid_ids, region=change.region, actor=change.actor, now=change.at
    )
    if not done:
        return
    staff_ids = {a.agent_id for _, _, a in done} | {before for _, before, _ in done}
    names = dict(Staff.objects.filter(pk__in=staff_ids - {None}).values_list("pk", "full_name"))
    grid_codes = dict(
        Grid.objects.filter(pk__in={a.grid_id for _, _, a in done} - {None}).values_list(
            "pk", "code"
        )
    )

    def agent(pk):
        return None if pk is None else {"id": pk, "name": names.get(pk, "")}

    for why, before, a in done:
        change.report.rerouted.append(
            {
                "appointment": a.tracking_code,
                "reason": why,
                "from_agent": agent(before),
                "to_agent": agent(a.agent_id),
                "to_grid": grid_codes.get(a.grid_id),
                "to_queue": a.queue_centre.area.code if a.queue_centre_id else None,
            }
        )
