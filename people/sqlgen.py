"""Assignment kinds for SQL, generated from `people.models` (see core/sqlfiles.py):
`people/sql/assignment_kinds.sql`. Run `scripts/sql-generate` after changing the enum."""

from core.sqlfiles import GENERATED_HEADER, text_function

from .models import GridAssignment


def render() -> str:
    return GENERATED_HEADER.format(source="people.models") + text_function(
        "assignment_kind_primary",
        GridAssignment.Kind.PRIMARY,
        source="people.models.GridAssignment.Kind.PRIMARY",
        why="the primary agent of a grid: ranked before its backups",
    )


FILES = {"assignment_kinds.sql": render}
