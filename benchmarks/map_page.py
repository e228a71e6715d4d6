"""The coverage map page (/map/) drawing the 100,000-grid district in headless Chromium (Debian's
`chromium` through Playwright, launched like the browser tests): the first draw at the district
view the page opens on, a zoom-12 view of the district's middle (tiles cold: the tile cache is
emptied first), and the frame times while panning at zoom 12 (each pan 300 px, animated; new
tiles load during the pans). A benchmark, not a test.

    python -m benchmarks.map_page   (on the benchmark database of benchmarks.tiles)
"""

from __future__ import annotations

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


def main() -> None:
    django.setup()
    from django.db import connection
    from playwright.sync_api import sync_playwright

    from benchmarks.machine import describe
    from benchmarks.server import district_token, gunicorn, production_env
    from benchmarks.tiles import summary
    from geo.models import Area
    from tests.browser import ARGS, CHROMIUM, DESKTOP

    district_token()  # the user bench-district, password bench-pass
    extent = Area.objects.get(code="999999000000").boundary.extent
    centre = [(extent[1] + extent[3]) / 2, (extent[0] + extent[2]) / 2]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tiles_tilecache")
    result = {"benchmark": "map_page", "at": datetime.now(UTC).isoformat(timespec="seconds")}
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        env=production_env(STATIC_ROOT=static_root),
        check=True,
    )
    with gunicorn(STATIC_ROOT=static_root) as port, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        page.set_default_timeout(120_000)
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/map/login/")
        page.fill("input[name=username]", "bench-district")
        page.fill("input[name=password]", "bench-pass")
        started = page.evaluate("performance.now()")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/map/")
        # (wait_for_function evaluates a string: the page's Content-Security-Policy refuses it)
        page.wait_for_selector("#map[data-grids-drawn]:not([data-grids-drawn='0'])")
        grids_layer = page.evaluate("Object.keys(window.gridLayers)[1]")
        result["district_view"] = {
            "zoom": page.evaluate("gridMap.getZoom()"),
            "ms_from_login_to_grids_drawn": round(page.evaluate("performance.now()") - started),
            "grids_drawn": int(page.get_attribute("#map", "data-grids-drawn")),
            "note": "timed from the login click; includes the page load",
        }
        draw = page.evaluate(DRAW, [grids_layer, {"center": centre, "zoom": 12}])
        result["zoom_12_cold"] = {"ms": round(draw["ms"]), "grids_drawn": draw["drawn"]}
        frames = page.evaluate(PAN, [8, 300])
        result["pan_zoom_12"] = {
            **summary(frames),
            "frames_over_50_ms": sum(1 for f in frames if f > 50),
            "frames_mean_fps": round(1000 / statistics.fmean(frames), 1),
        }
        browser.close()
    result["machine"] = describe()
    out = Path("benchmarks/results")
    out.mkdir(parents=True, exist_ok=True)
    path = out / "map_page-100000.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
