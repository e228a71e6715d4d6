"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_statement_triggers"),
    ]
    operations = [
        RunSQLFile("audit", "audit_row.sql", digest="98b6ab3d901f"),
        RunSQLFile("audit", "audit_record.sql", digest="8c95ea50e9c3"),
        RunSQLFile("audit", "audit_change_append_only.sql", digest="ea0f45b43768"),
    ]
