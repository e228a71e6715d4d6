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
        RunSQLFile("people", "people_periods_time.sql", digest="82ea7d073677"),
        RunSQLFile("people", "people_default_working_time.sql", digest="a8f11ff4c7e7"),
        RunSQLFile("people", "people_working_time.sql", digest="74eac3599b42"),
        RunSQLFile("people", "people_periods.sql", digest="112979cfd855"),
        RunSQLFile("people", "people_availability.sql", digest="f116d76714c3"),
        RunSQLFile("people", "people_after_working_minutes.sql", digest="d5a2c056fabc"),
        RunSQLFile("people", "people_after_working_minutes_of.sql", digest="6b76f12339a5"),
    ]
