"""The field app (/app/) as a phone sees it, on gunicorn with production settings (loopback,
static files collected and served by WhiteNoise, compressed): Lighthouse 12.2.3 (npm, pinned in
benchmarks/frontend/; mobile emulation, simulated throttling) for the performance,
accessibility and best-practices scores; then Playwright on the same Debian Chromium for what
Lighthouse 12 no longer reports: installability (`Page.getInstallabilityErrors` over CDP), the
bytes the first load transfers, and a repeat visit with no network at all.

    python -m benchmarks.app [--out benchmarks/results]

Needs `npm ci` in benchmarks/frontend (scripts/bench runs it) and the demo data (it loads it).
Goals (issue 18): performance and accessibility ≥ 90, first load ≤ 250 KB compressed, the
repeat visit served by the service worker with no network.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "benchmarks" / "frontend"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 780}
GOALS = {"performance": 90, "accessibility": 90, "first_load_kb": 250}
DEMO_AGENT = "a211102002005-1"  # fixtures/people_demo.py


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    django.setup()

    from django.core.management import call_command

    from benchmarks.machine import describe
    from benchmarks.server import gunicorn, production_env

    call_command("load_demo", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="bench-static-") as static_root:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            env=production_env(STATIC_ROOT=static_root),
            check=True,
            cwd=ROOT,
        )
        with gunicorn(STATIC_ROOT=static_root) as port:
            url = f"http://127.0.0.1:{port}/app/"
            lighthouse = run_lighthouse(url)
            browser = run_browser(url)

    first_kb = browser["first_load"]["total_kb"]
    result = {
        "benchmark": "app",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "url": "/app/",
        "server": "gunicorn, 2 sync workers, production settings, WhiteNoise (compressed)",
        "lighthouse": lighthouse,
        **browser,
        "goals": GOALS,
        "ratio_to_goal": {
            "performance": round(lighthouse["scores"]["performance"] / GOALS["performance"], 2),
            "accessibility": round(
                lighthouse["scores"]["accessibility"] / GOALS["accessibility"], 2
            ),
            "first_load": round(first_kb / GOALS["first_load_kb"], 2),
        },
        "machine": {
            **describe(),
            "chromium": subprocess.run(
                [CHROMIUM, "--version"], capture_output=True, text=True, check=False
            ).stdout.strip(),
            "node": subprocess.run(
                ["node", "--version"], capture_output=True, text=True, check=False
            ).stdout.strip(),
        },
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "app.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    s = lighthouse["scores"]
    print(
        f"app: performance {s['performance']}, accessibility {s['accessibility']}, "
        f"best practices {s['best-practices']}; installability errors "
        f"{browser['installability_errors'] or 'none'}; first load {first_kb:.1f} KB; "
        f"offline repeat visit {'ok' if browser['offline_repeat_visit']['ok'] else 'FAILED'}"
        f" → {path}"
    )


def run_lighthouse(url: str) -> dict:
    """Lighthouse's three scores (0–100), its main metrics and what it flags (score < 0.9)."""
    binary = FRONTEND / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        sys.exit("lighthouse is missing: run `npm ci` in benchmarks/frontend")
    version = json.loads((FRONTEND / "node_modules/lighthouse/package.json").read_text())["version"]
    with tempfile.TemporaryDirectory(prefix="bench-lh-") as tmp:
        report_path = Path(tmp) / "report.json"
        started = time.monotonic()
        subprocess.run(
            [
                str(binary),
                url,
                f"--chrome-path={CHROMIUM}",
                "--chrome-flags=--headless=new " + " ".join(ARGS),
                "--only-categories=performance,accessibility,best-practices",
                "--form-factor=mobile",
                "--output=json",
                f"--output-path={report_path}",
                "--quiet",
            ],
            check=True,
            timeout=600,
            env={**os.environ, "TMPDIR": tmp},
        )
        seconds = round(time.monotonic() - started, 1)
        report = json.loads(report_path.read_text(encoding="utf-8"))
    audits = report["audits"]
    metrics = {
        key: audits[key].get("displayValue")
        for key in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
            "speed-index",
            "interactive",
            "total-byte-weight",
            "mainthread-work-breakdown",
        )
        if key in audits
    }
    flagged = []
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("weight", 0) == 0 and audit.get("details", {}).get("type") != "opportunity":
                continue
            if audit.get("score") is not None and audit["score"] < 0.9:
                flagged.append(
                    {
                        "category": category["id"],
                        "id": ref["id"],
                        "title": audit["title"],
                        "score": audit["score"],
                        "value": audit.get("displayValue", ""),
                    }
                )
    return {
        "version": version,
        "chromium_reported": report.get("environment", {}).get("hostUserAgent", ""),
        "form_factor": report["configSettings"]["formFactor"],
        "throttling": report["configSettings"]["throttlingMethod"],
        "seconds": seconds,
        "scores": {
            key: round(category["score"] * 100) if category["score"] is not None else None
            for key, category in report["categories"].items()
        },
        "metrics": metrics,
        "flagged": flagged,
        "run_warnings": report.get("runWarnings", []),
    }


def run_browser(url: str) -> dict:
    """First load (bytes on the wire), installability, then a repeat visit with no network."""
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"  # before the launch
    from playwright.sync_api import sync_playwright

    from fixtures.demo_users import DEMO_PASSWORD

    origin = url.rsplit("/app/", 1)[0]
    # a persistent profile: an incognito context is never installable ("in-incognito")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
            locale="zh-CN",
        )  # fmt: skip
        try:
            context.set_default_timeout(30_000)
            page = context.pages[0] if context.pages else context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            wire: dict[str, int] = {}  # requestId → encodedDataLength (headers + body as sent)
            urls: dict[str, str] = {}
            cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))  # fmt: skip
            cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])))  # fmt: skip
            worker: dict[str, int] = {}  # the service worker's own fetches (its precache)

            def worker_done(request):
                if request.service_worker is None:
                    return
                try:
                    sizes = request.sizes()
                    n = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                except Exception:  # sizes are not always known for a worker
                    n = 0
                worker[request.url] = worker.get(request.url, 0) + n

            context.on("requestfinished", worker_done)

            # first load: nothing cached, until the app is drawn and the worker controls it
            started = time.monotonic()
            page.goto(url)
            page.wait_for_selector("body[data-ready='1']")
            ready_ms = round((time.monotonic() - started) * 1000)
            # (polling in Python: wait_for_function evaluates strings, which the CSP refuses)
            deadline = time.monotonic() + 30
            while not page.evaluate("navigator.serviceWorker.controller !== null"):
                if time.monotonic() > deadline:
                    sys.exit("the service worker never took control of /app/")
                time.sleep(0.1)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
            installability = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            first = dict(wire)
            first_worker = dict(worker)
            context.remove_listener("requestfinished", worker_done)
            by_file = sorted(
                ((urls.get(rid, "?").removeprefix(origin), n) for rid, n in first.items()),
                key=lambda x: -x[1],
            )

            # sign in as a demo agent, so the repeat visit has a day to show
            page.fill("input[name=username]", DEMO_AGENT)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector("#tabs:not([hidden])")
            page.wait_for_timeout(1000)  # the day is kept for offline use

            # repeat visit with no network: offline, and every request (the worker's too) fails
            refused: list[str] = []

            def refuse(route):
                refused.append(route.request.url.removeprefix(origin))
                route.abort()

            context.set_offline(True)
            context.route("**", refuse)
            started = time.monotonic()
            response = page.reload()
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_selector("#tabs:not([hidden])")
            offline_ms = round((time.monotonic() - started) * 1000)
            from_worker = bool(response and response.from_service_worker)
            static_misses = [u for u in refused if u.startswith("/static/")]
            offline_ok = from_worker and not static_misses and page.locator("#tabs").is_visible()
        finally:
            context.close()
    page_bytes = sum(first.values())
    worker_bytes = sum(first_worker.values())
    return {
        "installability_errors": installability,
        "first_load": {
            "page_bytes": page_bytes,
            "page_kb": round(page_bytes / 1024, 1),
            "page_requests": len(first),
            "service_worker_precache_bytes": worker_bytes,
            "service_worker_precache_requests": len(first_worker),
            "total_kb": round((page_bytes + worker_bytes) / 1024, 1),
            "measured_as": "page: sum of CDP Network.loadingFinished encodedDataLength over the "
            "page's requests (headers + body as transferred, compressed), cold cache, until the "
            "app is drawn, its service worker controls the page and the network is idle; "
            "service worker: Playwright request.sizes() (response body as transferred + "
            "headers) of the worker's own fetches in the same span (its precache)",
            "by_file": [{"path": p, "bytes": n} for p, n in by_file],
            "ready_ms": ready_ms,
        },
        "offline_repeat_visit": {
            "ok": offline_ok,
            "shell_from_service_worker": from_worker,
            "static_files_reaching_network": static_misses,
            "requests_refused": refused,
            "app_drawn_ms": offline_ms,
            "checked": "signed in as a demo agent, then a reload with the context offline and "
            "every request aborted (page and worker): the navigation is answered by the service "
            "worker (it tries the network first and falls back to its cache), no static file "
            "is asked of the network, body[data-ready='1'] and the signed-in tab bar (#tabs) "
            "are drawn",
        },
    }


if __name__ == "__main__":
    main()
