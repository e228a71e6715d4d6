"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0010_availability_own_periods_on_call"),
        ("workdays", "0007_sql_files"),
    ]
    operations = [
        RunSQLFile("people", "assignment_kinds.sql", digest="b9cfd0012c6a"),
        RunSQLFile("people", "people_periods_time.sql", digest="21d1b8aabe90"),
        RunSQLFile("people", "people_default_working_time.sql", digest="a59b82e4dd38"),
        RunSQLFile("people", "people_working_time.sql", digest="237b580c9b0b"),
        RunSQLFile("people", "people_periods.sql", digest="7e45d7c737a0"),
        RunSQLFile("people", "people_availability.sql", digest="1724883fc306"),
        RunSQLFile("people", "people_after_working_minutes.sql", digest="a553b35bcf40"),
        RunSQLFile("people", "people_after_working_minutes_of.sql", digest="5f8fc84fb370"),
    ]
