"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_schedule"),
    ]
    operations = [
        RunSQLFile("supervision", "supervision_scheme_frozen.sql", digest="6b5795cdbc9e"),
        RunSQLFile("supervision", "supervision_indicator_frozen.sql", digest="6e4c384aa914"),
    ]
