"""A grid edit with the open appointments it moves: how long the save takes when it re-routes
them in its own transaction (geo.hooks → appointments.grid_hooks, ADR 0026), by how many there
are. Each run retires one synthetic grid holding K open appointments routed to its agents, then
rolls back, so runs are independent and the database is left as it was.

    python -m benchmarks.grid_edits --grids 10000 --per-grid 3 --open 0,10,50 --runs 30
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django


def _summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "max_ms": round(samples[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--per-grid", type=int, default=3)
    parser.add_argument("--open", default="0,10,50", help="open appointments per edited grid")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    django.setup()

    from django.contrib.gis.geos import Point
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from appointments.models import Appointment, Status
    from benchmarks.machine import describe
    from catalogue import services as catalogue_services
    from catalogue.models import ServiceItem
    from geo import hooks, services
    from geo.models import Grid
    from people.models import GridAssignment, Staff
    from workdays.calendar import is_workday

    if not Grid.objects.filter(code__startswith="S").exists():
        call_command("synth_grids", "--grids", str(args.grids))
    if not Staff.objects.filter(full_name__startswith="合成代办员").exists():
        call_command("synth_staff", "--per-grid", str(args.per_grid))
    if not ServiceItem.objects.filter(code="MZ-001").exists():
        catalogue_services.item_create(
            actor=None,
            code="MZ-001",
            data={
                "name": "高龄津贴申请",
                "category": "老年人服务",
                "handling_level": "street",
                "department": "区民政局",
                "materials": [{"key": "id_card", "name": "居民身份证"}],
                "procedure": ["预审"],
                "committed_limit_days": 15,
                "proxy_limit_days": 10,
            },
        )
    item = ServiceItem.objects.get(code="MZ-001")
    version = item.current
    day = timezone.localdate() + timedelta(days=2)
    while not is_workday(day).value:
        day += timedelta(days=1)
    tz = timezone.get_current_timezone()
    ws = datetime(day.year, day.month, day.day, 9, tzinfo=tz)
    we = ws + timedelta(hours=2)
    rng = random.Random(20261202)
    counts = [int(k) for k in args.open.split(",")]
    ids = list(
        Grid.objects.filter(retired_at__isnull=True, code__startswith="S").values_list(
            "pk", flat=True
        )
    )
    chosen = rng.sample(ids, args.runs * len(counts) + 5)

    def one(grid_id: int, k: int, serial: int) -> tuple[float, int]:
        with transaction.atomic():
            grid = Grid.objects.select_related("community").get(pk=grid_id)
            agent_id = (
                GridAssignment.objects.filter(grid=grid, kind="primary")
                .values_list("staff_id", flat=True)
                .first()
            )
            x0, y0, x1, y1 = grid.boundary.extent
            Appointment.objects.bulk_create(
                Appointment(
                    tracking_code=f"B{serial:05d}{i:05d}"[:12],
                    applicant_name="张三",
                    applicant_phone="13800001234",
                    address="x",
                    location=Point(rng.uniform(x0, x1), rng.uniform(y0, y1), srid=4326),
                    service_item=item,
                    item_version=version,
                    preferred_start=ws,
                    preferred_end=we,
                    channel="web",
                    status=Status.AWAITING,
                    agent_id=agent_id,
                    grid=grid,
                    routed_at=timezone.now(),
                    confirm_deadline=timezone.now() + timedelta(hours=1),
                )
                for i in range(k)
            )
            report = hooks.EditReport()
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            services.grid_retire(grid=grid, reason="benchmark", report=report)
            elapsed = (time.perf_counter() - start) * 1000
            gc.enable()
            transaction.set_rollback(True)
        return elapsed, len(report.rerouted)

    for grid_id in chosen[-5:]:  # warm-up
        one(grid_id, 5, 0)
    results = {}
    serial = 1
    for n, k in enumerate(counts):
        samples, moved = [], []
        for grid_id in chosen[n * args.runs : (n + 1) * args.runs]:
            elapsed, rerouted = one(grid_id, k, serial)
            serial += 1
            samples.append(elapsed)
            moved.append(rerouted)
        results[str(k)] = {
            **_summary(samples),
            "rerouted_per_edit": round(statistics.fmean(moved), 1),
            "per_appointment_ms": round(statistics.median(samples) / k, 2) if k else None,
        }
    grid_count = Grid.objects.filter(retired_at__isnull=True).count()
    result = {
        "benchmark": "grid_edits",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe(),
        "grids": grid_count,
        "agents_per_grid": args.per_grid,
        "edit": "grid_retire (assignments ended, open appointments re-routed, one transaction)",
        "by_open_appointments": results,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"grid_edits-{grid_count}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
