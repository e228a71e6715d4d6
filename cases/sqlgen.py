"""Case status sets for SQL, generated from `cases.models` (see core/sqlfiles.py):
`cases/sql/case_statuses.sql`. Run `scripts/sql-generate` after changing a set."""

from core.sqlfiles import GENERATED_HEADER, text_array_function

from .models import WITH_AGENT


def render() -> str:
    return GENERATED_HEADER.format(source="cases.models") + text_array_function(
        "case_statuses_with_agent",
        WITH_AGENT,
        source="cases.models.WITH_AGENT",
        why="a case that still needs work from its responsible agent: counts in their open work",
    )


FILES = {"case_statuses.sql": render}
