"""The people world (grids A, B, C with agents) and the appointments world built on it."""

from audit.models import Change


def changes_of(table: str, row=None) -> list[Change]:
    """The recorded changes of a table (or one row), oldest first."""
    rows = Change.objects.filter(table_name=table)
    if row is not None:
        rows = rows.filter(row_id=str(row))
    return list(rows.order_by("id"))
