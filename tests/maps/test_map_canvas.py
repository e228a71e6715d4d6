"""The map's canvas grid layer (maps/static/maps/mvt-canvas.js) in headless Chromium: a click a
few metres either side of the edge grids A and B share opens the grid on that side; a change of
the colouring figure recolours the drawn grids from the tiles already decoded, without fetching
a grid tile again. Screenshots in var/test-artifacts/maps/.

Test world (tests/worlds/people.py): manager1 runs 一社区, whose grids are A [0–500 m] and
B [500–1000 m]; A has one agent (张一, primary) and no open work.
"""

from __future__ import annotations

import math
import re

import pytest

from tests.browser import shot, until

from .pages import at, signed_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# the colour of the grid drawn at a page point, read from the tile canvas under it
PIXEL = """([x, y]) => {
  for (const t of Object.values(gridMapLayers.grids._tiles)) {
    const r = t.el.getBoundingClientRect();
    if (!t.current || x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
    const k = t.el.width / r.width;
    return Array.from(t.el.getContext('2d').getImageData((x - r.left) * k, (y - r.top) * k, 1, 1).data);
  }
  return null;
}"""


def logged_in(browser, live_server):
    page = signed_in(browser, live_server, "manager1")
    until(page, "Number(document.getElementById('map').dataset.gridsDrawn) > 0")
    return page


def test_a_click_either_side_of_a_shared_edge_opens_that_sides_grid(world, live_server, browser):
    page = logged_in(browser, live_server)
    assert page.evaluate("gridMap.getZoom()") >= 15  # 10 m is a few pixels at least
    for x, code in [(492, "A（A）"), (508, "B（B）")]:
        page.mouse.click(*at(page, x, 500))
        page.wait_for_selector(f"#panel h2:has-text('{code}')")
    # the selected grid (B) is outlined in black: its edge pixels are dark
    edge_at = list(at(page, 999, 500))
    until(
        page,
        f"(() => {{ const p = ({PIXEL})({edge_at}); return p && Math.max(...p.slice(0, 3)) < 90; }})()",
    )
    shot(page, "maps", "canvas-edge-click")
    assert page.errors == []


def test_a_figure_change_recolours_without_fetching_tiles_again(world, live_server, browser):
    page = logged_in(browser, live_server)
    grid_tiles = []
    page.on("request", lambda r: "/tiles/grids/" in r.url and grid_tiles.append(r.url))
    before = page.evaluate(PIXEL, list(at(page, 250, 250)))
    page.select_option("#figure", "open_work")
    until(page, "document.getElementById('map').dataset.gridsFigure === 'open_work'")
    after = page.evaluate(PIXEL, list(at(page, 250, 250)))
    shot(page, "maps", "canvas-figure-open-work")
    # A: one agent (orange in the agents scale) and no open work (the palest blue)
    assert before[:3] != after[:3]
    assert after[2] > after[0], after  # blue, not orange
    assert grid_tiles == []
    assert "在办" in page.inner_text(".legend h4")
    assert page.errors == []


# every tile in view of one layer, fetched and decoded by the page's MVT reader
DECODED = """async (layer) => {
  const l = gridMapLayers[layer], out = [];
  for (const t of Object.values(l._tiles)) {
    const url = L.Util.template(l._url, L.extend({x: t.coords.x, y: t.coords.y, z: t.coords.z}, l.options));
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    for (const f of L.MvtCanvas.decode(bytes, layer, 256).features) out.push([f.type, f.properties, f.bbox]);
  }
  return out;
}"""


def test_the_mvt_reader_reads_postgis_tiles(world, live_server, browser):
    page = logged_in(browser, live_server)
    grids = {p["code"]: (kind, p, bbox) for kind, p, bbox in page.evaluate(DECODED, "grids")}
    assert set(grids) == {"A", "B"}  # C is not manager1's
    kind, a, bbox = grids["A"]
    assert kind == 3  # a polygon
    assert (a["agents"], a["open_work"], a["overdue"], a["value"]) == (1, 0, 0, 1)
    assert a["community"] == world["tree"]["c1"].code and a["name"] == "A"
    assert -64 <= bbox[0] < bbox[2] <= 256 + 64 and bbox[1] < bbox[3]  # tile pixels (+ buffer)
    areas = page.evaluate(DECODED, "areas")
    names = {p.get("name") for _kind, p, _bbox in areas}
    assert "一社区" in names  # UTF-8 strings
    assert page.errors == []


def _tile_box(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a Web Mercator tile."""
    n = 2**z

    def lat(row):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def test_the_bounded_layers_ask_for_no_tile_outside_the_requesters_areas(
    world, live_server, browser
):
    page = logged_in(browser, live_server)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    # zoomed out, the view reaches well beyond the manager's community: tiles all around it
    page.evaluate(
        "document.getElementById('map').dataset.gridsDrawn = '0';"
        " gridMap.setZoom(gridMap.getZoom() - 2, {animate: false})"
    )
    until(page, "Number(document.getElementById('map').dataset.gridsDrawn) > 0")
    config = page.evaluate("JSON.parse(document.getElementById('map-config').textContent)")
    (south, west), (north, east) = config["tileBounds"]
    tiles = [
        (m[1], *map(int, m.groups()[1:]))
        for m in (re.search(r"/tiles/(\w+)/(\d+)/(\d+)/(\d+)\.pbf", u) for u in requested)
        if m
    ]
    bounded = [t for t in tiles if t[0] in ("grids", "areas", "gaps")]
    assert {t[0] for t in bounded} == {"grids", "areas", "gaps"}
    for layer, z, x, y in bounded:
        w, s, e, n = _tile_box(z, x, y)
        assert w <= east and e >= west and s <= north and n >= south, (layer, z, x, y)
    # the open work is not bounded: it may lie outside (an unrouted booking in a gap)
    assert len([t for t in tiles if t[0] == "appointments"]) > len(
        [t for t in bounded if t[0] == "grids"]
    )
    assert page.errors == []
