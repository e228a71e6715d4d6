"""routing_candidate asks `people_position_fresh` whether a position is fresh."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0012_client_fingerprint"),
        ("people", "0012_position_fresh"),
    ]
    operations = [RunSQLFile("appointments", "routing_candidate.sql", digest="af1f2409725c")]
