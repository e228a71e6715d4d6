"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_statement_triggers"),
    ]
    operations = [
        RunSQLFile("audit", "audit_row.sql", digest="c4463e5fe8b8"),
        RunSQLFile("audit", "audit_record.sql", digest="999c23807df4"),
        RunSQLFile("audit", "audit_change_append_only.sql", digest="e2fb3e6e7dbe"),
    ]
