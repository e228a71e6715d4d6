"""Grid proposals (issue 19, ADR 0026) are audited like the grids they change: who proposed,
who applied or rejected, when. The triggers are in audit/sql/audit_record.sql with the others."""

from django.db import migrations

from core.sqlfiles import RunSQLFile

DETACH = "".join(
    f"DROP TRIGGER IF EXISTS audit_{op} ON geo_gridproposal;" for op in ("insert", "update", "delete")
)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_sql_files"), ("geo", "0005_grid_proposal")]
    operations = [
        RunSQLFile("audit", "audit_record.sql", digest="a19f5636d6a9", reverse_sql=DETACH),
    ]
