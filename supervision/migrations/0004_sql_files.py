"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_schedule"),
    ]
    operations = [
        RunSQLFile("supervision", "supervision_scheme_frozen.sql", digest="30d0764d8b0e"),
        RunSQLFile("supervision", "supervision_indicator_frozen.sql", digest="9caa632cf670"),
    ]
