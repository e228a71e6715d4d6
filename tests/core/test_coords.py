"""GCJ-02 / BD-09 conversion against published reference pairs, and the accurate inverse."""

import math

import pytest

from core import coords


def metres_between(a, b):
    lat = math.radians((a[1] + b[1]) / 2)
    dx = (a[0] - b[0]) * 111_320 * math.cos(lat)
    dy = (a[1] - b[1]) * 110_574
    return math.hypot(dx, dy)


# Reference pairs published with the widely used coordtransform library (test/app.js there):
# forward transforms are exact formulas, so they must match to ~1e-9 degrees.
FORWARD_REFERENCES = [
    (coords.wgs84_to_gcj02, (116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    (coords.gcj02_to_bd09, (116.404, 39.915), (116.41036949371029, 39.92133699351021)),
]


@pytest.mark.parametrize(("fn", "given", "expected"), FORWARD_REFERENCES)
def test_forward_transforms_match_reference_pairs(fn, given, expected):
    got = fn(*given)
    assert got == pytest.approx(expected, abs=1e-9)


def test_one_step_inverse_of_the_reference_library_is_metres_off_ours_is_not():
    # coordtransform's gcj02towgs84(116.404, 39.915) = (116.39775550083061, 39.91359571849836)
    # is the one-step approximation; our inverse must land back on the GCJ input exactly.
    one_step = (116.39775550083061, 39.91359571849836)
    exact = coords.gcj02_to_wgs84(116.404, 39.915)
    assert metres_between(coords.wgs84_to_gcj02(*exact), (116.404, 39.915)) < 0.001
    assert metres_between(coords.wgs84_to_gcj02(*one_step), (116.404, 39.915)) > 0.01
    assert 0.01 < metres_between(exact, one_step) < 10


def test_one_step_inverse_is_metres_off_in_the_demo_district():
    wgs = (122.06, 41.19)
    gcj = coords.wgs84_to_gcj02(*wgs)
    assert metres_between(coords._gcj02_to_wgs84_one_step(*gcj), wgs) > 1.0
    assert metres_between(coords.gcj02_to_wgs84(*gcj), wgs) < 0.001


@pytest.mark.parametrize(
    "wgs",
    [(122.06, 41.19), (116.404, 39.915), (121.4737, 31.2304), (113.2644, 23.1291), (87.6, 43.8)],
)
def test_round_trips_are_sub_millimetre(wgs):
    gcj = coords.wgs84_to_gcj02(*wgs)
    bd = coords.wgs84_to_bd09(*wgs)
    assert metres_between(wgs, gcj) > 50  # the offset is real: hundreds of metres
    assert metres_between(coords.gcj02_to_wgs84(*gcj), wgs) < 0.001
    assert metres_between(coords.bd09_to_wgs84(*bd), wgs) < 0.001
    assert metres_between(coords.to_wgs84(*gcj, coords.GCJ02), wgs) < 0.001
    assert coords.from_wgs84(*wgs, coords.BD09) == pytest.approx(bd)


def test_outside_china_is_not_offset():
    assert coords.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert coords.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
