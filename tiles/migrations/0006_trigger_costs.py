"""The booking path's share of the tile triggers (issue 20, ADR 0029 amended): cell bumps
without the generic plan's oversized DISTINCT hash table, one statement per write of
appointments and cases (tiles_work_changed), appointments' updates that change nothing a work
tile shows bump nothing."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0005_figures_cells_cache"),
    ]

    operations = [
        RunSQLFile("tiles", "tiles_bump_cells.sql", digest="f66214c7b3bc"),
        RunSQLFile("tiles", "tiles_work_changed.sql", digest="8c041e840ff3"),
        RunSQLFile("tiles", "tiles_appointment_cells.sql", digest="851922667a93"),
        RunSQLFile("tiles", "tiles_case_cells.sql", digest="e55a4d4b8e71"),
    ]
