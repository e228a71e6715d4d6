"""GET /api/v1/audit/: administrators and district centre staff read the trail; nobody else."""

import pytest
from django.contrib.auth import get_user_model

from audit import selectors
from geo.models import Grid
from people.models import Role
from tests.factories import client_for, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return make_staff("admin", Role.ADMIN, centre=world["tree"]["district"].centre)


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def test_an_administrator_reads_a_rows_history_newest_first(world, admin):
    grid = world["grids"]["A"]
    client = client_for(admin)
    client.patch("/api/v1/grids/A/", {"name": "甲"}, format="json", HTTP_IF_MATCH="1")
    rows = client.get(f"/api/v1/audit/?table=geo_grid&row={grid.pk}").json()
    assert [(r["op"], r["table"], r["row"]) for r in rows] == [
        ("UPDATE", "geo_grid", str(grid.pk)),
        ("INSERT", "geo_grid", str(grid.pk)),
    ]
    update = rows[0]
    assert update["changes"] == {"name": ["A", "甲"], "revision": [1, 2]}
    assert (update["actor"], update["actor_username"]) == (admin.user_id, "admin")
    assert update["context"] == {"method": "PATCH", "path": "/api/v1/grids/A/"}
    assert update["request_id"] and update["txid"] and update["at"]
    assert rows[1]["actor"] is None and rows[1]["actor_username"] is None


def test_district_staff_read_the_whole_trail(world):
    client = client_for(world["people"]["district"])
    rows = client.get("/api/v1/audit/").json()
    assert {r["table"] for r in rows} >= {"geo_grid", "geo_gridboundary", "people_gridassignment"}
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids, reverse=True)
    grids = client.get("/api/v1/audit/?table=geo_grid").json()
    assert len(grids) == 3 and {r["table"] for r in grids} == {"geo_grid"}


def test_a_superuser_reads_the_trail(world):
    root = get_user_model().objects.create_superuser("root", password="pw-12345")
    assert client_for(root).get("/api/v1/audit/").status_code == 200


def test_the_list_is_capped(world, admin, monkeypatch):
    grid = Grid.objects.get(code="B")
    for n in range(4):
        Grid.objects.filter(pk=grid.pk).update(name=f"B{n}")
    monkeypatch.setattr(selectors, "MAX_CHANGES", 3)
    rows = client_for(admin).get("/api/v1/audit/?table=geo_grid").json()
    assert [r["changes"]["name"][1] for r in rows] == ["B3", "B2", "B1"]


@pytest.mark.parametrize("who", ["agent1", "manager1", "street", "lead", "supervisor", "window"])
def test_everyone_else_is_refused(world, who):
    response = client_for(world["people"][who]).get("/api/v1/audit/")
    assert error_code(response, 403) == "permission_denied"


def test_a_user_without_a_staff_profile_is_refused(world):
    plain = get_user_model().objects.create_user("plain", password="pw-12345")
    assert error_code(client_for(plain).get("/api/v1/audit/"), 403) == "permission_denied"


def test_anonymous_must_log_in(api_client):
    assert error_code(api_client.get("/api/v1/audit/"), 401) == "not_authenticated"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("table=accounts_user", "unknown_table"),
        ("table=audit_change", "unknown_table"),
        ("row=1", "table_required"),
    ],
)
def test_bad_filters(world, admin, query, code):
    assert error_code(client_for(admin).get(f"/api/v1/audit/?{query}"), 400) == code
