"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0010_routing_rank_by_steps"),
        ("geo", "0003_sql_files"),
        ("people", "0011_sql_files"),
    ]
    operations = [
        RunSQLFile("appointments", "appointment_statuses.sql", digest="9d9a3fb0f40f"),
        RunSQLFile("appointments", "routing_candidate.sql", digest="e9b8932909a7"),
        RunSQLFile("appointments", "routing_rank.sql", digest="1cdba611df1c"),
    ]
