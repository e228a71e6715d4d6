"""What the map pages' browser tests share: a page signed in on /map/ (or one of its pages) and
page coordinates of a point of the test district."""

from __future__ import annotations

from tests.browser import DESKTOP, WAIT_MS, watched
from tests.geo.helpers import lonlat


def signed_in(browser, live_server, username: str, path: str = "/map/"):
    """A desktop page signed in as `username` (password of tests/worlds) and landed on `path`."""
    page = watched(browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page())
    page.set_default_timeout(WAIT_MS)
    login = "/map/login/?next=/map/" if path == "/map/" else path
    page.goto(f"{live_server.url}{login}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-12345")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}{path}")
    return page


def at(page, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of the point x, y metres from the test district's origin."""
    lon, lat = lonlat(x, y)
    px, py = page.evaluate(
        "([lat, lon]) => { const p = gridMap.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator("#map").bounding_box()
    return box["x"] + px, box["y"] + py
