"""Scope hints that say exactly who may see a record (sync/sqlgen.py): a case's hints no longer
name its agent's station, so a colleague's records reach no other agent, not even as a tombstone;
grids and assignments name the agents assigned to the grid."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [("sync", "0006_sql_files"), ("people", "0011_sql_files")]
    operations = [RunSQLFile("sync", "sync_record.sql", digest="338268159ef1")]
