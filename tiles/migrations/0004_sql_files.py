"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0003_schedules"),
    ]
    operations = [
        RunSQLFile("tiles", "tiles_bump.sql", digest="74e5098dd282"),
        RunSQLFile("tiles", "tiles_mark_gaps_dirty.sql", digest="c4e1247222ac"),
        RunSQLFile("tiles", "tiles_grid_gaps_dirty.sql", digest="1ba2f7553921"),
        RunSQLFile("tiles", "tiles_area_gaps_dirty.sql", digest="81f93cd5ed3b"),
    ]
