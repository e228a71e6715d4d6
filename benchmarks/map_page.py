"""The coverage map page (/map/) in headless Chromium (Debian's `chromium` through Playwright,
launched like the browser tests). A benchmark, not a test; `BENCH_ONLY=map-page make bench`.

    python -m benchmarks.map_page --grids 100000   the 100,000-grid district (seeded here when the
        database has no synthetic grids, as benchmarks.tiles seeds it): the first draw at the
        district view the page opens on, a zoom-12 view of the district's middle (tiles cold: the
        tile cache is emptied first), and the frame times while panning at zoom 12 (each pan
        300 px, animated; new tiles load during the pans)
    python -m benchmarks.map_page --demo           the demo district (`manage.py load_demo`),
        logged in as its district user: the first complete draw of the whole district

Main-thread time (Chromium's Performance.getMetrics over CDP: TaskDuration, ScriptDuration) is
reported next to the wall-clock figures: it moves less with the machine's load.
First draws are read in the page: the `gridproxy:grids-drawn` performance mark map.js sets with
#map's data-grids-drawn count (milliseconds since the navigation started, so the page load, the
scripts and every grid tile in view are in it). Two first draws: from the sign-in form's submit
(the password hash and the redirect included), and as a signed-in user opens /map/ in a fresh
browser context (no tile in the browser's cache, the server's tile cache emptied) — the page's
own figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import django

DRAW = """([layer, view]) => new Promise((resolve) => {
  const grids = window.gridLayers[layer];
  const t0 = performance.now();
  grids.once('load', () => requestAnimationFrame(() => requestAnimationFrame(() => {
    resolve({ms: performance.now() - t0, drawn: Number(document.getElementById('map').dataset.gridsDrawn)});
  })));
  gridMap.setView(view.center, view.zoom, {animate: false});
})"""

PAN = """([steps, px]) => new Promise((resolve) => {
  const frames = [];
  let last = performance.now(), running = true;
  function tick(now) { frames.push(now - last); last = now; if (running) requestAnimationFrame(tick); }
  requestAnimationFrame(tick);
  let i = 0;
  function next() {
    if (i === steps) { running = false; resolve(frames.slice(1)); return; }
    const dx = [px, 0, -px, 0][i % 4], dy = [0, px, 0, -px][i % 4];
    i++;
    gridMap.once('moveend', () => setTimeout(next, 50));
    gridMap.panBy([dx, dy], {animate: true, duration: 0.25});
  }
  next();
})"""


def seed(grids: int, per_grid: int, appointments: int) -> None:
    """The 100,000-grid district of benchmarks.tiles, unless the database has it already."""
    from django.core.management import call_command

    from benchmarks.tiles import ensure_open_work
    from geo.models import Grid
    from people.models import Staff
    from tiles.figures import figures_refresh

    if not Grid.objects.filter(code__startswith="S").exists():
        call_command("synth_grids", "--grids", str(grids))
    if not Staff.objects.filter(full_name__startswith="合成代办员").exists():
        call_command("synth_staff", "--per-grid", str(per_grid))
    ensure_open_work(appointments)
    figures_refresh()


# when the page drew its grid tiles in view: the mark map.js sets with data-grids-drawn
DRAWN_AT = "performance.getEntriesByName('gridproxy:grids-drawn')[0].startTime"
SHOTS = Path("var/benchmarks")  # screenshots, to look at (not committed)


def empty_tile_cache() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tiles_tilecache")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--demo", action="store_true", help="the demo district (load_demo)")
    parser.add_argument("--grids", type=int, default=100_000)
    parser.add_argument("--per-grid", type=int, default=3)
    parser.add_argument("--appointments", type=int, default=20_000)
    args = parser.parse_args()
    django.setup()
    from playwright.sync_api import sync_playwright

    from benchmarks.server import district_token, gunicorn, production_env
    from benchmarks.tiles import summary
    from geo.models import Area, Grid
    from tests.browser import ARGS, CHROMIUM, DESKTOP, in_db

    if args.demo:
        from fixtures.demo_users import DEMO_PASSWORD

        username, password = "district", DEMO_PASSWORD
    else:
        seed(args.grids, args.per_grid, args.appointments)
        district_token()  # the user bench-district, password bench-pass
        username, password = "bench-district", "bench-pass"
        extent = Area.objects.get(code="999999000000").boundary.extent
        centre = [(extent[1] + extent[3]) / 2, (extent[0] + extent[2]) / 2]
    grids_in_db = Grid.objects.filter(retired_at__isnull=True).count()
    empty_tile_cache()
    result = {
        "benchmark": "map_page",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "district": "demo (load_demo)" if args.demo else "synthetic (synth_grids)",
        "grids": grids_in_db,
        "viewport": DESKTOP,
    }
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        env=production_env(STATIC_ROOT=static_root),
        check=True,
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    with gunicorn(STATIC_ROOT=static_root) as port, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        base = f"http://127.0.0.1:{port}"
        # signing in: the login's password hash and redirect are in this navigation's time
        login = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        login.set_default_timeout(120_000)
        login.goto(f"{base}/map/login/")
        login.fill("input[name=username]", username)
        login.fill("input[name=password]", password)
        login.click("button[type=submit]")
        login.wait_for_url(f"{base}/map/")
        # (wait_for_function evaluates a string: the page's Content-Security-Policy refuses it)
        login.wait_for_selector("#map[data-grids-drawn]:not([data-grids-drawn='0'])")
        from_login = login.evaluate(DRAWN_AT)
        # then the map as a signed-in user opens it: a browser context of its own (no cached
        # tile in the browser) with the session cookie, and the server's tile cache emptied
        signed_in = login.context.storage_state()
        login.context.close()
        in_db(empty_tile_cache)
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", storage_state=signed_in)
        page = context.new_page()
        page.set_default_timeout(120_000)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def busy() -> dict:
            """The renderer's main thread so far: busy (all tasks) and in scripts, seconds."""
            m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
            return {"task": m["TaskDuration"], "script": m["ScriptDuration"]}

        def spent(since: dict) -> dict:
            now = busy()
            return {f"main_thread_{k}_ms": round((now[k] - since[k]) * 1000) for k in now}

        page.goto(f"{base}/map/")
        page.wait_for_selector("#map[data-grids-drawn]:not([data-grids-drawn='0'])")
        drawn_at = page.evaluate(DRAWN_AT)
        grids_layer = page.evaluate("Object.keys(window.gridLayers)[1]")
        result["district_view"] = {
            "zoom": page.evaluate("gridMap.getZoom()"),
            "ms_from_navigation_to_grids_drawn": round(drawn_at),
            "ms_from_login_submit_to_grids_drawn": round(from_login),
            "grids_drawn": int(page.get_attribute("#map", "data-grids-drawn")),
            "main_thread_s_since_the_page_opened": busy(),
            "note": "the whole district as the page opens on it; from the /map/ navigation "
            "start, so the page load is in it",
        }
        if args.demo:
            page.screenshot(path=str(SHOTS / "map_page-demo.png"))
        else:
            since = busy()
            draw = page.evaluate(DRAW, [grids_layer, {"center": centre, "zoom": 12}])
            result["zoom_12_cold"] = {
                "ms": round(draw["ms"]),
                "grids_drawn": draw["drawn"],
                **spent(since),
            }
            page.screenshot(path=str(SHOTS / "map_page-zoom-12.png"))
            since = busy()
            frames = page.evaluate(PAN, [8, 300])
            result["pan_zoom_12"] = {
                **summary(frames),
                **spent(since),
                "frames_over_50_ms": sum(1 for f in frames if f > 50),
                "frames_mean_fps": round(1000 / statistics.fmean(frames), 1),
            }
        browser.close()
    # (after Playwright: its event loop makes Django refuse database calls)
    finish(result, "map_page-demo.json" if args.demo else f"map_page-{grids_in_db}.json")


def finish(result: dict, name: str) -> None:
    from benchmarks.machine import describe

    result["machine"] = describe()
    result["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
    out = Path("benchmarks/results")
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
