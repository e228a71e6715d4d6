"""The booking path's share of the tile triggers (issue 20, ADR 0029 amended): bump and mark
functions without the generic plan's oversized hash tables, one statement per write of
appointments and cases (tiles_work_changed), appointments' updates that change nothing a work
tile shows bump nothing."""

from django.db import migrations

from core.sqlfiles import RunSQLFile


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0005_figures_cells_cache"),
    ]

    operations = [
        RunSQLFile("tiles", "tiles_bump_cells.sql", digest="feb2e4630938"),
        RunSQLFile("tiles", "tiles_figures_changed.sql", digest="0faee6174014"),
        RunSQLFile("tiles", "tiles_work_changed.sql", digest="f73fa7277f48"),
        RunSQLFile("tiles", "tiles_appointment_cells.sql", digest="09b34178ce06"),
        RunSQLFile("tiles", "tiles_case_cells.sql", digest="e55a4d4b8e71"),
    ]
