"""The coverage review page in a real browser: headless Chromium (Debian's `chromium`, driven
by Playwright) logs in as a station manager, waits for the grid tiles to be drawn, clicks grid
A and reads its panel. A screenshot is kept in var/test-artifacts/maps/map.png.

The live server runs in another thread with its own connection, so the data is committed
(transactional test). Everything that touches the ORM happens before Playwright starts: its
sync API runs an event loop in this thread, where Django refuses database calls.
"""

from __future__ import annotations

import pytest

from tests.browser import DESKTOP, WAIT_MS, shot, until, watched
from tests.geo.helpers import lonlat


# a live server in another thread reads committed rows (no seeded rows needed)
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_manager_sees_the_grids_and_reads_a_grids_panel(world, live_server, browser):
    lon, lat = lonlat(250, 500)  # the middle of grid A
    page = watched(browser.new_page(viewport=DESKTOP, locale="zh-CN"))
    page.set_default_timeout(WAIT_MS)

    page.goto(f"{live_server.url}/map/")
    assert "/map/login/" in page.url
    page.fill("input[name=username]", "manager1")
    page.fill("input[name=password]", "pw-12345")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/map/")
    assert "script-src 'self';" in page.evaluate(
        "async () => (await fetch('/map/')).headers.get('content-security-policy')"
    )

    until(page, "Number(document.getElementById('map').dataset.gridsDrawn) > 0")
    drawn = int(page.get_attribute("#map", "data-grids-drawn"))
    assert drawn >= 2  # grids A and B of 一社区 (C is not this manager's)

    x, y = page.evaluate(
        "([lat, lon]) => { const p = gridMap.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)

    page.wait_for_selector("#panel h2")
    panel = page.inner_text("#panel")
    artifact = shot(page, "maps", "map")
    assert "A（A）" in panel
    assert "张一" in panel and "主责" in panel
    assert "一社区" in panel
    # the Content-Security-Policy (core/csp.py) refuses nothing the page needs
    assert page.errors == []
    assert artifact.stat().st_size > 10_000
