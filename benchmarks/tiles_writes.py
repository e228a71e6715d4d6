"""What the tile triggers (tiles/sql/tiles_*_cells.sql, tiles_work_changed.sql: cell bumps and
stale figure marks) add to the writes of the booking path, measured in one run with the triggers
on and off in turn (the shared machine's load moves whole runs; alternating keeps the comparison
fair). Three writes, each committed:

- handover: an appointment handed to another agent and back (UPDATE of agent_id and status, one
  row), as routing and confirmation do;
- save: an appointment saved without a change any tile shows (notes, version), as the ORM's
  full-row saves do;
- batch: 1,000 appointments handed over in one statement, as the backlog's routing does.

Wall time and the server process's CPU time (read from /proc: the embedded cluster runs on this
machine; CPU time is far less moved by other processes' load than wall time).

    python -m benchmarks.tiles_writes --grids 10000   (seeds a fresh database when empty)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import django

TRIGGERS = ("tiles_cells_insert", "tiles_cells_update", "tiles_cells_delete")
BATCH = 1000


def _backend_cpu_s(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:  # the database runs elsewhere
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--per-grid", type=int, default=3)
    parser.add_argument("--appointments", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=100)
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    django.setup()
    from django.core.management import call_command

    from benchmarks.machine import describe
    from benchmarks.tiles import connection_raw, ensure_open_work, summary
    from geo.models import Grid
    from people.models import Staff

    if not Grid.objects.filter(code__startswith="S").exists():
        call_command("synth_grids", "--grids", str(args.grids))
    if not Staff.objects.filter(full_name__startswith="合成代办员").exists():
        call_command("synth_staff", "--per-grid", str(args.per_grid))
    from appointments.models import Appointment

    if not Appointment.objects.filter(tracking_code__startswith="TILE").exists():
        ensure_open_work(args.appointments)  # once: this benchmark moves them between statuses

    with connection_raw() as cursor:
        cursor.connection.autocommit = True
        pid = cursor.connection.info.backend_pid
        cursor.execute(
            "SELECT DISTINCT ON (a.id) a.id, a.agent_id, ga.staff_id "
            "FROM appointments_appointment a "
            "JOIN people_gridassignment ga ON ga.grid_id = a.grid_id AND ga.staff_id <> a.agent_id "
            "WHERE a.status = 'confirmed' ORDER BY a.id LIMIT 5000"
        )
        rows = cursor.fetchall()
        rng = random.Random(20)
        kinds = ("handover", "save", "batch")
        wall = {k: {"on": [], "off": []} for k in kinds}
        cpu = {k: {"on": [], "off": []} for k in kinds}

        def timed(kind, state, n, run):
            c0, started = _backend_cpu_s(pid), time.perf_counter()
            run()
            wall[kind][state].append((time.perf_counter() - started) * 1000 / n)
            c1 = _backend_cpu_s(pid)
            if c0 is not None:
                cpu[kind][state].append((c1 - c0) * 1000 / n)

        for r in range(args.rounds * 2):
            state = "on" if r % 2 == 0 else "off"
            verb = "ENABLE" if state == "on" else "DISABLE"
            for name in TRIGGERS:
                cursor.execute(f"ALTER TABLE appointments_appointment {verb} TRIGGER {name}")
            sample = rng.sample(rows, args.per_round)

            def handover(sample=sample):
                for appointment, agent, other in sample:
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

            def save(sample=sample):
                for appointment, _agent, _other in sample:
                    cursor.execute(
                        "UPDATE appointments_appointment SET notes = notes, "
                        "version = version + 1 WHERE id = %s",
                        [appointment],
                    )

            batch = rng.sample(rows, BATCH)
            ids = [b[0] for b in batch]

            def batch_write(batch=batch, ids=ids):
                for agent_of in ((b[2] for b in batch), (b[1] for b in batch)):
                    cursor.execute(
                        "UPDATE appointments_appointment a SET agent_id = u.agent "
                        "FROM unnest(%s::bigint[], %s::bigint[]) AS u(id, agent) WHERE a.id = u.id",
                        [ids, list(agent_of)],
                    )

            timed("handover", state, 2 * len(sample), handover)
            timed("save", state, len(sample), save)
            timed("batch", state, 2, batch_write)
        for name in TRIGGERS:
            cursor.execute(f"ALTER TABLE appointments_appointment ENABLE TRIGGER {name}")

    def cpu_median(samples):
        return round(sorted(samples)[len(samples) // 2], 3) if samples else None

    measures = {}
    for kind in kinds:
        on, off = summary(wall[kind]["on"]), summary(wall[kind]["off"])
        measures[kind] = {
            "with_tile_triggers": on,
            "without_tile_triggers": off,
            "added_median_ms": round(on["median_ms"] - off["median_ms"], 3),
            "backend_cpu_median_ms": {
                "with": cpu_median(cpu[kind]["on"]),
                "without": cpu_median(cpu[kind]["off"]),
            },
        }
    result = {
        "benchmark": "tiles_writes",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "grids": args.grids,
        "what": {
            "handover": "one committed UPDATE of an appointment's agent and status (per statement)",
            "save": "one committed UPDATE of an appointment that no tile shows (per statement)",
            "batch": f"one committed UPDATE of {BATCH} appointments' agents (per statement)",
        },
        "machine": describe(),
        **measures,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"tiles_writes-{args.grids}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
