"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("workdays", "0006_workdays_days"),
    ]
    operations = [
        RunSQLFile("workdays", "workdays_is_workday.sql", digest="7fc3cac57031"),
        RunSQLFile("workdays", "workdays_count.sql", digest="fdfa21953c91"),
        RunSQLFile("workdays", "workdays_days.sql", digest="d6d2cb3a99c5"),
    ]
