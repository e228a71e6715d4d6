"""Grid edits end the assignments of retired grids and staff the new ones, in the edit's own
transaction, by the assignment rules of people.services (one primary per grid and day, active
agents the editor manages, dates in order, grid rows locked).

Named in settings.GEO_EDIT_HOOKS (geo.hooks): the spatial core calls it without importing it.
"""

from __future__ import annotations

from django.utils import timezone

from core.errors import ApplicationError
from geo.hooks import GridChange

from . import services


def staff_changed_grids(change: GridChange) -> None:
    if not change.retired:
        return
    today = timezone.localdate(change.at)
    successors = ", ".join(g.code for g in change.created)
    reason = f"grid {change.kind}" + (f" into {successors}" if successors else "")
    change.report.assignments_ended += services.grid_assignments_end(
        grids=change.retired, on=today, actor=change.actor, reason=reason
    )
    asked = [(grid, s) for grid in change.created for s in change.staffing.get(grid.pk, ())]
    if not asked:
        return
    items = []
    for grid, staffing in asked:
        try:
            staff = services.staff_visible(change.actor, staffing.staff_id)
        except ApplicationError as exc:
            exc.details = {**exc.details, **staffing.where}
            raise
        items.append(
            services.AssignmentInput(
                grid=grid,
                staff=staff,
                kind=staffing.kind,
                valid_from=staffing.valid_from or today,
                valid_to=staffing.valid_to,
            )
        )
    try:
        created = services.assignments_bulk(actor=change.actor, items=items)
    except ApplicationError as exc:
        where = asked[exc.details.get("item", 0)][1].where
        exc.details = {**exc.details, **where}
        raise
    for assignment in created:
        change.report.assignments.append(
            {
                "id": assignment.pk,
                "grid": assignment.grid.code,
                "staff": assignment.staff_id,
                "staff_name": assignment.staff.full_name,
                "kind": assignment.kind,
                "valid_from": assignment.valid_from.isoformat(),
                "valid_to": assignment.valid_to.isoformat() if assignment.valid_to else None,
            }
        )
