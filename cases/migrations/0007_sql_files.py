"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_open_work_of"),
        ("appointments", "0011_sql_files"),
    ]
    operations = [
        RunSQLFile("cases", "cases_append_only.sql", digest="1d02908382fc"),
        RunSQLFile("cases", "case_statuses.sql", digest="8908bc602ad3"),
        RunSQLFile("cases", "open_work_of.sql", digest="cef4f14b1833"),
        RunSQLFile("cases", "open_work.sql", digest="8a7c0664b76e"),
    ]
