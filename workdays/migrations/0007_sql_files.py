"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("workdays", "0006_workdays_days"),
    ]
    operations = [
        RunSQLFile("workdays", "workdays_is_workday.sql", digest="ced808655791"),
        RunSQLFile("workdays", "workdays_count.sql", digest="529e48536e88"),
        RunSQLFile("workdays", "workdays_days.sql", digest="102daa4bb55e"),
    ]
