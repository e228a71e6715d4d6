"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0002_boundary_history_is_immutable"),
    ]
    operations = [
        RunSQLFile("geo", "geo_gridboundary_immutable.sql", digest="66054b2b93d0"),
        RunSQLFile("geo", "grid_at.sql", digest="7d36360487be"),
    ]
