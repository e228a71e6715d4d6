"""Appointment status sets for SQL, generated from `appointments.models` (see core/sqlfiles.py):
`appointments/sql/appointment_statuses.sql`. Run `scripts/sql-generate` after changing a set."""

from core.sqlfiles import GENERATED_HEADER, text_array_function

from .models import WITH_AGENT_STATUSES


def render() -> str:
    return GENERATED_HEADER.format(source="appointments.models") + text_array_function(
        "appointment_statuses_with_agent",
        WITH_AGENT_STATUSES,
        source="appointments.models.WITH_AGENT_STATUSES",
        why="an appointment still with its agent: counts in the agent's open work",
    )


FILES = {"appointment_statuses.sql": render}
