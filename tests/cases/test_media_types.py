"""Binary answers (the receipt and the one-time notice as PDFs, vector tiles) honour Accept:
their own type, `*/*` and a browser's header get the bytes; only what they cannot give is 406."""

import pytest

from tests.cases.conftest import accepted_case
from tests.factories import client_for
from tests.tiles.conftest import WORLD_TILE, tile_url

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
PDF = "application/pdf"
MVT = "application/vnd.mapbox-vector-tile"


@pytest.mark.parametrize("accept", [PDF, "*/*", BROWSER, f"{PDF}, application/json;q=0.5", None])
def test_pdfs_answer_their_own_type(case_world, settings, tmp_path, accept):
    settings.MEDIA_ROOT = tmp_path
    agent = client_for(case_world["people"]["agent1"])
    case = accepted_case(case_world)
    headers = {"Accept": accept} if accept else {}
    for path in (f"/api/v1/cases/{case.pk}/receipt.pdf", "/api/v1/service-items/MZ-002/notice.pdf"):
        response = agent.get(path, headers=headers)
        assert response.status_code == 200, (path, response.content[:200])
        assert response["Content-Type"] == PDF and response.content.startswith(b"%PDF")


@pytest.mark.parametrize("accept", ["application/json", "text/csv"])
def test_pdfs_refuse_what_they_cannot_give(case_world, accept):
    agent = client_for(case_world["people"]["agent1"])
    case = accepted_case(case_world)
    for path in (f"/api/v1/cases/{case.pk}/receipt.pdf", "/api/v1/service-items/MZ-002/notice.pdf"):
        response = agent.get(path, headers={"Accept": accept})
        assert response.status_code == 406, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_acceptable"


def test_a_pdf_endpoints_errors_keep_the_error_shape(case_world):
    agent = client_for(case_world["people"]["agent1"])
    response = agent.get("/api/v1/cases/999999/receipt.pdf", headers={"Accept": PDF})
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "unknown_case"


@pytest.mark.parametrize("accept", [MVT, "application/x-protobuf", "*/*", BROWSER, None])
def test_tiles_answer_vector_tile_types(case_world, accept):
    district = client_for(case_world["people"]["district"])
    headers = {"Accept": accept} if accept else {}
    response = district.get(tile_url("grids", *WORLD_TILE), headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == MVT


def test_tiles_refuse_json(case_world):
    district = client_for(case_world["people"]["district"])
    response = district.get(tile_url("grids", *WORLD_TILE), headers={"Accept": "application/json"})
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"
