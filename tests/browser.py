"""Shared browser-test tools: Debian's headless Chromium driven by Playwright's sync API, and the
helpers every page's browser tests use (registered as a plugin in tests/conftest.py).

The live server runs in another thread; the ORM is used before Playwright starts or in a thread
of its own (`in_db`): Playwright's sync API runs an event loop in the test's thread, where Django
refuses database calls. Screenshots go to var/test-artifacts/<folder>/ (`shot`).
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "var" / "test-artifacts"
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
DESKTOP = {"width": 1280, "height": 800}
# how long a step may wait for the page: generous, the machines running CI are shared and loaded
# (a step that never happens still fails, only later)
WAIT_MS = 30_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


def _keep_failed_pages(browser, name: str):
    """What every page showed when its test failed: a screenshot in var/test-artifacts/failures/
    and the address and main text on stdout (pytest prints it with the failure)."""
    pages = [page for context in browser.contexts for page in context.pages]
    for n, page in enumerate(pages):
        try:
            path = ARTIFACTS / "failures" / f"{name}-{n}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path))
            text = page.evaluate("(document.querySelector('main') || document.body).innerText")
            print(f"--- page {n} at the failure: {page.url} ({path})\n{text[:2000]}")
        except Exception as exc:  # a page already gone says so and the next one is kept
            print(f"--- page {n}: not kept ({exc})")


@pytest.fixture
def browser(monkeypatch, request):
    """A headless Chromium for one test; on failure, what its pages showed is kept."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: `make setup` installs the dev extra")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    # lets context.route() see (and abort) a service worker's own requests too
    monkeypatch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
            if getattr(request.node, "call_failed", False):
                _keep_failed_pages(browser, request.node.name)
        finally:
            browser.close()


def watched(page):
    """Collects the page's uncaught errors and Content-Security-Policy refusals in page.errors
    (a page's tests assert it stays empty)."""
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and page.errors.append(m.text),
    )
    return page


def in_db(fn):
    """Run ORM work in a thread of its own (not this one, where Playwright's loop runs)."""

    def run():
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def eventually(query, seconds=15):
    """Polls the database (in a thread of its own) until `query` answers something."""
    deadline = time.monotonic() + seconds
    while True:
        found = in_db(query)
        if found or time.monotonic() > deadline:
            assert found, "not in the database in time"
            return found
        time.sleep(0.25)


def until(page, expression, seconds=15):
    """Polls an expression with page.evaluate (wait_for_function's polling evaluates strings,
    which the pages' Content-Security-Policy rightly refuses)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"not true in time: {expression}"
        time.sleep(0.1)


def shot(page, folder: str, name: str) -> Path:
    """Keeps a screenshot as a test artifact: var/test-artifacts/<folder>/<name>.png."""
    path = ARTIFACTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path
