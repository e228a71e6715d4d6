"""`people_position_fresh`: the freshness rule of a last known position, in one place for
routing, the agents' map layer and the agent's day (it was written out in each)."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [("people", "0011_sql_files")]
    operations = [RunSQLFile("people", "people_position_fresh.sql", digest="1c1f7c5b1167")]
