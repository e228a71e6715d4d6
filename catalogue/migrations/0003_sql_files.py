"""The database functions and triggers of this app from their files (`sql/` beside this folder):
the current definitions, loaded with CREATE OR REPLACE (core/sqlfiles.py, docs/sql.md)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_versions_are_immutable"),
    ]
    operations = [
        RunSQLFile("catalogue", "catalogue_version_immutable.sql", digest="07739d306295"),
    ]
