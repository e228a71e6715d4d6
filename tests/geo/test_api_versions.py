"""Grid versions over HTTP: ETag on read, If-Match on every edit (428 without, 412 when stale)."""

import pytest

from geo.models import Grid, GridBoundary
from people.models import Role
from tests.factories import client_for, make_staff

from .helpers import rect_geojson


@pytest.fixture
def editor(tree):
    return client_for(make_staff("editor", Role.DISTRICT_STAFF, centre=tree["district"].centre))


@pytest.fixture
def other(tree):
    return client_for(make_staff("other", Role.DISTRICT_STAFF, centre=tree["district"].centre))


def error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def snapshot():
    return (
        list(Grid.objects.order_by("pk").values_list("code", "name", "revision", "retired_at")),
        GridBoundary.objects.count(),
    )


def test_get_answers_the_revision_as_etag_and_each_edit_counts_one(editor, two_grids):
    response = editor.get("/api/v1/grids/A/")
    assert response["ETag"] == '"1"'
    assert response.json()["properties"]["revision"] == 1
    listed = editor.get("/api/v1/grids/").json()["features"][0]["properties"]
    assert listed["revision"] == 1
    renamed = editor.patch("/api/v1/grids/A/", {"name": "甲"}, format="json", HTTP_IF_MATCH='"1"')
    assert renamed.status_code == 200, renamed.content
    # a rename adds no boundary version but is a new revision
    assert renamed["ETag"] == '"2"'
    assert renamed.json()["properties"]["version"] == 1
    moved = editor.patch(
        "/api/v1/grids/A/",
        {"boundary": rect_geojson(0, 0, 450, 1000)},
        format="json",
        HTTP_IF_MATCH='W/"2"',  # weak form accepted
    )
    assert moved["ETag"] == '"3"' and moved.json()["properties"]["version"] == 2


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/v1/grids/A/", {"name": "甲"}),
        ("post", "/api/v1/grids/A/retire/", {"reason": "x"}),
        (
            "post",
            "/api/v1/grids/A/split/",
            {
                "parts": [
                    {"name": "1", "boundary": rect_geojson(0, 0, 500, 500)},
                    {"name": "2", "boundary": rect_geojson(0, 500, 500, 1000)},
                ]
            },
        ),
    ],
)
def test_an_edit_without_if_match_is_428_and_with_a_stale_one_412(
    editor, two_grids, method, url, body
):
    before = snapshot()
    call = getattr(editor, method)
    for header in ({}, {"HTTP_IF_MATCH": "*"}):
        err = error(call(url, body, format="json", **header), 428)
        assert err["code"] == "if_match_required"
        assert err["details"] == {"header": "If-Match"}
    err = error(call(url, body, format="json", HTTP_IF_MATCH="seven"), 400)
    assert err["code"] == "invalid_if_match" and err["details"]["got"] == "seven"
    err = error(call(url, body, format="json", HTTP_IF_MATCH='"9"'), 412)
    assert err["code"] == "stale_version"
    assert err["details"]["expected_version"] == 9
    assert err["details"]["current_version"] == 1 and err["details"]["etag"] == '"1"'
    assert err["details"]["current"]["id"] == "A"
    assert err["details"]["current"]["properties"]["revision"] == 1
    assert snapshot() == before


def test_two_editors_one_grid_the_second_sees_the_first(editor, other, two_grids):
    etag = editor.get("/api/v1/grids/A/")["ETag"]
    first = editor.patch(
        "/api/v1/grids/A/",
        {"boundary": rect_geojson(0, 0, 450, 1000)},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert first.status_code == 200
    before = snapshot()
    err = error(
        other.patch(
            "/api/v1/grids/A/",
            {"boundary": rect_geojson(0, 0, 400, 1000)},
            format="json",
            HTTP_IF_MATCH=etag,
            QUERY_STRING="crs=gcj02",
        ),
        412,
    )
    assert err["details"]["current_version"] == 2
    # the current grid comes in the request's crs
    current = err["details"]["current"]
    assert current["geometry"] == other.get("/api/v1/grids/A/?crs=gcj02").json()["geometry"]
    assert snapshot() == before


def test_merge_takes_one_version_per_grid(editor, two_grids):
    before = snapshot()
    body = {"grids": ["A", "B"], "name": "AB"}
    err = error(editor.post("/api/v1/grids/merge/", body, format="json"), 428)
    assert err["code"] == "if_match_required"
    assert err["details"] == {"field": "versions", "missing": ["A", "B"]}
    err = error(
        editor.post("/api/v1/grids/merge/", {**body, "versions": {"A": 1}}, format="json"), 428
    )
    assert err["details"]["missing"] == ["B"]
    editor.patch("/api/v1/grids/B/", {"name": "乙"}, format="json", HTTP_IF_MATCH='"1"')
    before = snapshot()
    err = error(
        editor.post("/api/v1/grids/merge/", {**body, "versions": {"A": 1, "B": 1}}, format="json"),
        412,
    )
    assert err["details"]["grid"] == "B" and err["details"]["current_version"] == 2
    assert err["details"]["current"]["properties"]["name"] == "乙"
    assert snapshot() == before
    merged = editor.post(
        "/api/v1/grids/merge/", {**body, "versions": {"A": 1, "B": 2}}, format="json"
    )
    assert merged.status_code == 201, merged.content
