"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0003_schedules"),
    ]
    operations = [
        RunSQLFile("tiles", "tiles_bump.sql", digest="64cd3b3b9651"),
        RunSQLFile("tiles", "tiles_mark_gaps_dirty.sql", digest="d66190f1e149"),
        RunSQLFile("tiles", "tiles_grid_gaps_dirty.sql", digest="22e7b26839f1"),
        RunSQLFile("tiles", "tiles_area_gaps_dirty.sql", digest="f330a7ab9448"),
    ]
