"""The boundary file page in a real browser: the demo's district user uploads a GeoJSON with one
self-intersecting grid; the preview draws it in red where it is and lists why; choosing the
repair and previewing again accepts every feature, and the whole file applies.

Screenshots: var/test-artifacts/boundaries/{preview-refused,applied}.png. The worker task runs
in the live server's thread (django-q2's synchronous mode in the test settings).
"""

from __future__ import annotations

import json

import pytest

from geo.models import Grid
from people.models import Role
from tests.browser import eventually, in_db, shot, until
from tests.factories import make_staff
from tests.geo.helpers import lonlat, rect_geojson

from .pages import signed_in

C1 = "210000001001"


def twisted(x0, y0, size, cut) -> dict:
    """A square whose chamfered corner was drawn in the wrong order: a small bow-tie loop."""
    corners = [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size)]
    corners += [(x0, y0 + size - cut), (x0 + cut, y0 + size), (x0, y0)]
    return {"type": "Polygon", "coordinates": [[list(lonlat(x, y)) for x, y in corners]]}


@pytest.fixture
def district_user(tree):
    """Made before Playwright starts (its event loop forbids the ORM in this thread)."""
    return make_staff(
        "district", Role.DISTRICT_STAFF, centre=tree["district"].centre, full_name="区科员"
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_self_intersecting_feature_is_marked_then_repaired_and_applied(
    district_user, live_server, browser
):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "G1", "name": "一网格"},
                "geometry": rect_geojson(500, 0, 1000, 1000),
            },
            {
                "type": "Feature",
                "properties": {"code": "G2", "name": "扭角网格"},
                "geometry": twisted(0, 0, 500, 30),
            },
        ],
    }
    page = signed_in(browser, live_server, "district", "/map/boundaries/")

    page.get_by_label("层级").select_option("grid")
    page.get_by_label("上级区划代码（可选）").fill(C1)
    page.get_by_label("边界文件").set_input_files(
        files=[
            {
                "name": "grids.geojson",
                "mimeType": "application/geo+json",
                "buffer": json.dumps(collection).encode(),
            }
        ]
    )
    page.get_by_role("button", name="上传并预览").click()
    until(page, "document.body.dataset.uploadStatus === 'ready'")
    assert page.get_attribute("#map", "data-refused-drawn") == "1"
    assert page.get_attribute("#map", "data-accepted-drawn") == "1"
    assert page.is_disabled("#apply")
    reason = page.locator("#refusals button")
    assert reason.count() == 1
    assert "invalid_geometry" in reason.inner_text() and "G2" in reason.inner_text()

    # the reason is reachable from the keyboard; Enter zooms the map to the feature
    page.evaluate("boundaryMap.setZoom(12, {animate: false})")
    reason.focus()
    page.keyboard.press("Enter")
    until(page, "boundaryMap.getZoom() >= 15")
    page.wait_for_selector(".leaflet-popup-content")
    assert "扭角网格" in page.inner_text(".leaflet-popup-content")
    # the red shape is where the feature is: its centre is inside the map's view
    lon, lat = lonlat(250, 500)
    assert page.evaluate(f"boundaryMap.getBounds().contains([{lat}, {lon}])")
    artifact = shot(page, "boundaries", "preview-refused")
    assert artifact.stat().st_size > 10_000
    assert in_db(lambda: Grid.objects.count()) == 0

    page.get_by_label("修复自相交等无效边界（面积变化超过限度仍拒绝）").check()
    page.get_by_role("button", name="按所选选项重新预览").click()
    until(
        page,
        "document.body.dataset.uploadStatus === 'ready'"
        " && document.getElementById('map').dataset.refusedDrawn === '0'",
    )
    assert page.get_attribute("#map", "data-accepted-drawn") == "2"
    page.get_by_role("button", name="全部导入").click()
    until(page, "document.body.dataset.uploadStatus === 'applied'")
    assert "已全部导入" in page.inner_text("#status")
    shot(page, "boundaries", "applied")
    codes = eventually(lambda: sorted(Grid.objects.values_list("code", flat=True)))
    assert codes == ["G1", "G2"]
    assert page.errors == []
