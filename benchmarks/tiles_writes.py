"""What the tile triggers (tiles/sql/tiles_*_cells.sql: cell bumps and stale figure marks) add to
the writes of the booking path, measured in one run with the triggers on and off in turn (the
shared machine's load moves whole runs; alternating keeps the comparison fair): an appointment
handed to another agent and back (UPDATE of agent_id and status, one row, committed), as routing
and confirmation do.

    python -m benchmarks.tiles_writes   (on the benchmark database of benchmarks.tiles)
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import django

TRIGGERS = ("tiles_cells_insert", "tiles_cells_update", "tiles_cells_delete")


def main(rounds: int = 10, per_round: int = 100) -> None:
    django.setup()
    from benchmarks.machine import describe
    from benchmarks.tiles import connection_raw, summary

    with connection_raw() as cursor:
        cursor.connection.autocommit = True
        cursor.execute(
            "SELECT a.id, a.agent_id, ga.staff_id FROM appointments_appointment a "
            "JOIN people_gridassignment ga ON ga.grid_id = a.grid_id AND ga.staff_id <> a.agent_id "
            "WHERE a.status = 'confirmed' ORDER BY a.id LIMIT 2000"
        )
        rows = cursor.fetchall()
        rng = random.Random(20)
        timings = {"on": [], "off": []}
        for r in range(rounds * 2):
            state = "on" if r % 2 == 0 else "off"
            verb = "ENABLE" if state == "on" else "DISABLE"
            for name in TRIGGERS:
                cursor.execute(f"ALTER TABLE appointments_appointment {verb} TRIGGER {name}")
            for appointment, agent, other in rng.sample(rows, per_round):
                started = time.perf_counter()
                cursor.execute(
                    "UPDATE appointments_appointment SET agent_id = %s, "
                    "status = 'awaiting_confirmation' WHERE id = %s",
                    [other, appointment],
                )
                cursor.execute(
                    "UPDATE appointments_appointment SET agent_id = %s, status = 'confirmed' "
                    "WHERE id = %s",
                    [agent, appointment],
                )
                timings[state].append((time.perf_counter() - started) * 1000 / 2)
        for name in TRIGGERS:
            cursor.execute(f"ALTER TABLE appointments_appointment ENABLE TRIGGER {name}")
    result = {
        "benchmark": "tiles_writes",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "what": "one committed UPDATE of an appointment's agent and status",
        "with_tile_triggers": summary(timings["on"]),
        "without_tile_triggers": summary(timings["off"]),
        "machine": describe(),
    }
    result["added_median_ms"] = round(
        result["with_tile_triggers"]["median_ms"] - result["without_tile_triggers"]["median_ms"], 3
    )
    path = Path("benchmarks/results/tiles_writes-100000.json")
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
