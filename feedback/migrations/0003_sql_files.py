"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_append_only"),
    ]
    operations = [
        RunSQLFile("feedback", "feedback_append_only.sql", digest="a217c45be751"),
    ]
