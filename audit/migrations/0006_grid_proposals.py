"""Grid proposals (issue 19, ADR 0026) are audited like the grids they change: who proposed,
who applied or rejected, when."""

from importlib import import_module

from django.db import migrations

_0004 = import_module("audit.migrations.0004_statement_triggers")


def _detach(table: str) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS audit_{op} ON {table};" for op in ("insert", "update", "delete")
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_sql_files"), ("geo", "0005_grid_proposal")]
    operations = [
        migrations.RunSQL(_0004._attach("geo_gridproposal", []), _detach("geo_gridproposal")),
    ]
