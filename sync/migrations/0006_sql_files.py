"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0005_statement_triggers"),
    ]
    operations = [
        RunSQLFile("sync", "sync_horizon.sql", digest="94924963d491"),
        RunSQLFile("sync", "sync_record.sql", digest="f3251c530596"),
    ]
