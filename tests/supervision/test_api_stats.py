"""GET /api/v1/stats/: levels, areas, ranked lists, CSV and XLSX exports that read back, and
each role against what it must not see (404 out of scope, 403 without the right)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from appointments.models import RoutingDecision
from tests.factories import client_for, make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/"
OCT = {"from": "2026-10-01", "to": "2026-10-31"}
C1, C2, STREET, DISTRICT = "210000001001", "210000001002", "210000001000", "210000000000"


def get(who, **params):
    return client_for(who).get(URL, {**OCT, **params})


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def rows_of(response) -> dict:
    assert response.status_code == 200, response.content
    return {(r["unit"]["code"] or r["unit"]["name"]): r for r in response.json()["results"]}


def test_the_dataset_is_what_it_says(dataset):
    """The routing the figures count happened as the dataset describes."""
    P, p = dataset["appointments"], dataset["people"]
    latest = {
        n: RoutingDecision.objects.filter(appointment=P[n]).order_by("-created_at", "-pk")[0].rule
        for n in (1, 2, 3, 4, 5, 8)
    }
    assert latest == {
        1: "grid_member",
        2: "community_member",
        3: "first_inquiry",
        4: "station_queue",
        5: "first_inquiry",
        8: "grid_member",
    }
    assert (P[2].agent, P[4].agent, P[4].status, P[8].status) == (
        p["agent3"],
        None,
        "unrouted",
        "cancelled",
    )
    P[3].refresh_from_db()
    assert P[3].status == "in_case" and dataset["cases"][5].appointment == P[3]


def test_district_staff_read_every_level(dataset):
    district = dataset["people"]["district"]
    body = get(district, level="community").json()
    assert (body["level"], body["from"], body["to"], body["order"]) == (
        "community",
        "2026-10-01",
        "2026-10-31",
        None,
    )
    assert [f["key"] for f in body["figures"]][:3] == [
        "appointments",
        "routed_in_grid",
        "routed_in_grid_pct",
    ]
    rows = rows_of(get(district, level="community"))
    assert set(rows) == {C1, C2}
    c1 = rows[C1]
    assert c1["unit"] == {
        "level": "community",
        "id": dataset["tree"]["c1"].pk,
        "code": C1,
        "name": "一社区",
        "parent": {"code": STREET, "name": "测试街道"},
    }
    assert c1["rank"] is None
    assert (c1["figures"]["appointments"], c1["figures"]["on_time_pct"]) == (4, 66.7)
    assert c1["figures"]["inspection_score"] == 85.0
    assert set(rows_of(get(district, level="grid"))) == {"A", "B", "C"}
    assert set(rows_of(get(district, level="street"))) == {STREET}
    assert set(rows_of(get(district, level="district"))) == {DISTRICT}
    agents = rows_of(get(district, level="agent"))
    assert set(agents) == {"张一", "李二", "孙三", "周四"}
    assert agents["张一"]["unit"]["code"] is None
    assert agents["张一"]["unit"]["parent"] == {"code": C1, "name": "一社区中心"}
    # inside an area: the street's stations, one station's grids
    assert set(rows_of(get(district, level="community", area=STREET))) == {C1, C2}
    assert set(rows_of(get(district, level="grid", area=C2))) == {"C"}
    assert set(rows_of(get(district, level="agent", area=C1))) == {"张一", "孙三"}


def test_ranked_lists(dataset):
    district = dataset["people"]["district"]
    response = get(district, level="community", order="on_time_pct")
    assert [(r["unit"]["code"], r["rank"]) for r in response.json()["results"]] == [
        (C2, 1),
        (C1, 2),
    ]
    # equal values share a rank, units without a value come last, unranked
    response = get(district, level="agent", order="answer_minutes")
    assert [(r["unit"]["name"], r["rank"]) for r in response.json()["results"]] == [
        ("孙三", 1),
        ("李二", 2),
        ("张一", 3),
        ("周四", None),
    ]
    response = get(district, level="grid", order="complaints")
    assert [(r["unit"]["code"], r["rank"]) for r in response.json()["results"]] == [
        ("A", 1),
        ("C", 1),
        ("B", 3),
    ]
    response = get(district, level="grid", order="complaints", direction="asc")
    assert [r["unit"]["code"] for r in response.json()["results"]] == ["B", "A", "C"]


def test_csv_export_reads_back(dataset):
    response = get(
        dataset["people"]["supervisor"], level="grid", order="appointments", format="csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="stats-grid-2026-10-01-2026-10-31.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:4] == ["排名", "单位名称", "单位代码", "所属单位"]
    assert "按时办结率(%)" in header and "平均办结用时(工作日)" in header
    assert "最近督导检查得分(%)" not in header  # not a grid's figure
    by_code = {r[2]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert [r[2] for r in rows[1:]] == ["A", "C", "B"]
    assert by_code["A"]["排名"] == "1" and by_code["A"]["预约受理数"] == "3"
    assert by_code["B"]["平均办结用时(工作日)"] == "1.0"
    assert by_code["C"]["平均满意度(分)"] == ""  # nothing rated: empty, not zero
    assert by_code["A"]["所属单位"] == "一社区"


def test_xlsx_export_reads_back(dataset):
    response = get(dataset["people"]["district"], level="community", format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("单位名称", "单位代码", "所属单位")  # no rank: not ordered
    records = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(records) == {C1, C2}
    assert records[C1]["按时办结率(%)"] == 66.7
    assert records[C1]["受理件数"] == 3
    assert records[C1]["最近督导检查得分(%)"] == 85.0
    assert records[C2]["最近督导检查得分(%)"] is None


def test_errors_answer_json_whatever_the_format(sup_world):
    response = get(sup_world["people"]["district"], level="nowhere", format="csv")
    assert error_code(response, 400) == "invalid_level"
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"level": "nowhere"}, 400, "invalid_level"),
        ({"level": "grid", "order": "wishes"}, 400, "unknown_figure"),
        ({"level": "grid", "order": "inspection_score"}, 400, "unknown_figure"),
        ({"level": "grid", "order": "appointments", "direction": "up"}, 400, "invalid_direction"),
        ({"level": "grid", "from": "October"}, 400, "invalid_date"),
        ({"level": "grid", "from": "2026-10-31", "to": "2026-10-01"}, 400, "invalid_period"),
        ({"level": "grid", "from": "2020-01-01", "to": "2026-10-01"}, 400, "invalid_period"),
        ({"level": "grid", "area": "999999999999"}, 404, "unknown_area"),
        ({"level": "grid", "area": "12x"}, 404, "unknown_area"),
        ({"level": "street", "area": C1}, 400, "area_below_level"),
    ],
)
def test_bad_requests(sup_world, params, status, code):
    assert error_code(get(sup_world["people"]["district"], **params), status) == code


def test_station_managers_read_their_station(dataset):
    manager = dataset["people"]["manager1"]
    assert set(rows_of(get(manager, level="community"))) == {C1}
    assert set(rows_of(get(manager, level="grid"))) == {"A", "B"}
    assert set(rows_of(get(manager, level="agent"))) == {"张一", "孙三"}
    assert rows_of(get(manager, level="street")) == {}
    # another station, the street, the district: out of scope, like missing
    for code in (C2, STREET, DISTRICT):
        assert error_code(get(manager, level="community", area=code), 404) == "unknown_area"


def test_street_centre_people_read_their_street(dataset):
    for who in ("street", "lead"):
        staff = dataset["people"][who]
        assert set(rows_of(get(staff, level="community"))) == {C1, C2}
        assert set(rows_of(get(staff, level="street"))) == {STREET}
        assert error_code(get(staff, level="district", area=DISTRICT), 404) == "unknown_area"


def test_agents_read_their_own_figures_only(dataset):
    agent = dataset["people"]["agent1"]
    rows = rows_of(get(agent, level="agent"))
    assert set(rows) == {"张一"}
    assert rows["张一"]["figures"]["cases_completed"] == 3
    assert set(rows_of(get(agent, level="agent", area=C1))) == {"张一"}
    for level in ("grid", "community", "street", "district"):
        assert error_code(get(agent, level=level), 403) == "permission_denied"
    assert error_code(get(agent, level="agent", area=C2), 404) == "unknown_area"


def test_others_read_no_figures(sup_world, api_client):
    window = sup_world["people"]["window"]
    assert error_code(get(window, level="community"), 403) == "permission_denied"
    nobody = make_staff("nobody", [], full_name="无角色")
    assert error_code(get(nobody, level="community"), 403) == "permission_denied"
    assert api_client.get(URL, {"level": "community"}).status_code in (401, 403)
