"""The light of an open appointment, for the map (tiles and the grid panel).

red: unrouted (nobody has it yet), or awaiting the agent's confirmation past its
confirm_deadline (the re-routing task has not moved it yet); yellow: awaiting confirmation;
green: confirmed. Other statuses have no light. Cases have their deadline light
(`cases.deadlines.light_sql`). Computed in SQL only, like the case light, so that a tile and a
list agree.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import CharField
from django.db.models.expressions import RawSQL

from appointments.models import Status


def appointment_light_sql(now: datetime) -> RawSQL:
    return RawSQL(
        f"""CASE appointments_appointment.status
          WHEN '{Status.UNROUTED}' THEN 'red'
          WHEN '{Status.AWAITING}' THEN
               CASE WHEN appointments_appointment.confirm_deadline < %s THEN 'red' ELSE 'yellow' END
          WHEN '{Status.CONFIRMED}' THEN 'green' END""",
        [now],
        output_field=CharField(),
    )
