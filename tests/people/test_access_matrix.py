"""Every role against every endpoint it must not reach: out of scope answers 404 exactly like
missing, in scope without the right answers 403, and nothing changes in either case.

Later issues extend ENDPOINTS with their own."""

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from tests.factories import client_for
from tests.geo.helpers import rect_geojson

ROLES = [
    "agent1",
    "agent2",
    "manager1",
    "manager2",
    "street",
    "lead",
    "district",
    "supervisor",
    "window",
]


def snapshot():
    """Row counts of every table the API can write, plus the grids' boundary versions."""
    counted = [
        "geo.Grid",
        "geo.GridBoundary",
        "geo.Area",
        "people.GridAssignment",
        "people.DeskShift",
        "people.DeskDay",
        "people.Leave",
        "people.Training",
        "people.PositionReport",
        "people.Staff",
    ]
    counts = {label: apps.get_model(label).objects.count() for label in counted}
    counts["grid names"] = tuple(
        apps.get_model("geo.Grid").objects.order_by("code").values_list("name", flat=True)
    )
    return counts


def ids(world):
    p = world["people"]
    return {"agent1": p["agent1"].pk, "agent2": p["agent2"].pk, "manager2": p["manager2"].pk}


# (method, url, body): the things C2's data is (C2 = 二村, grid C, agent2, manager2)
def c2_endpoints(world):
    i = ids(world)
    return [
        ("get", "/api/v1/grids/C/", None),
        ("get", "/api/v1/grids/C/history/", None),
        ("patch", "/api/v1/grids/C/", {"name": "renamed"}),
        ("post", "/api/v1/grids/C/retire/", {"reason": "x"}),
        (
            "post",
            "/api/v1/grids/C/split/",
            {
                "parts": [
                    {"name": "x", "boundary": rect_geojson(1000, 0, 1500, 1000)},
                    {"name": "y", "boundary": rect_geojson(1500, 0, 2000, 1000)},
                ]
            },
        ),
        ("get", "/api/v1/grids/C/assignments/", None),
        (
            "post",
            "/api/v1/grids/C/assignments/",
            {"staff": i["agent2"], "kind": "backup", "valid_from": "2027-01-01"},
        ),
        (
            "post",
            "/api/v1/grids/",
            {
                "name": "x",
                "community": "210000001002",
                "boundary": rect_geojson(1000, 0, 1100, 100),
            },
        ),
        ("get", "/api/v1/areas/210000001002/", None),
        ("get", "/api/v1/coverage/?area=210000001002", None),
        ("get", f"/api/v1/staff/{i['agent2']}/", None),
        ("get", f"/api/v1/staff/{i['agent2']}/positions/", None),
        ("get", f"/api/v1/staff/{i['agent2']}/leave/", None),
        (
            "post",
            f"/api/v1/staff/{i['agent2']}/leave/",
            {"start": "2027-01-04T08:00:00+08:00", "end": "2027-01-05T08:00:00+08:00"},
        ),
        (
            "get",
            f"/api/v1/staff/{i['agent2']}/availability/?start=2026-10-09T09:00:00%2B08:00&end=2026-10-09T10:00:00%2B08:00",
            None,
        ),
        (
            "post",
            f"/api/v1/staff/{i['agent2']}/trainings/",
            {"date": "2026-10-09", "topic": "x", "trainer": "y"},
        ),
        ("get", "/api/v1/centres/210000001002/desk/", None),
        ("get", "/api/v1/centres/210000001002/desk-gaps/", None),
        ("get", "/api/v1/centres/210000001002/shifts/", None),
        (
            "post",
            "/api/v1/centres/210000001002/shifts/",
            {"staff": i["manager2"], "date": "2027-01-04", "start": "08:00", "end": "12:00"},
        ),
        (
            "post",
            "/api/v1/centres/210000001002/desk-days/",
            {"staff": i["manager2"], "weekday": 1, "start": "08:00", "end": "12:00"},
        ),
        (
            "post",
            "/api/v1/assignments/bulk/",
            {"assignments": [{"grid": "C", "staff": i["agent2"], "kind": "backup"}]},
        ),
    ]


def call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


# who must not see C2's data at all (404, as if it did not exist)
OUTSIDERS = ["agent1", "manager1", "window"]
# who sees C2 but may not change it: writes answer 403 (or 404 where the object is personal)
READ_ONLY = ["supervisor"]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_and_change_nothing(world, role):
    client = client_for(world["people"][role])
    before = snapshot()
    for method, url, body in c2_endpoints(world):
        response = call(client, method, url, body)
        assert response.status_code == 404, (
            role,
            method,
            url,
            response.status_code,
            response.content[:200],
        )
        assert response.json()["error"]["code"].startswith(("unknown_", "not_found")), url
    assert snapshot() == before


@pytest.mark.parametrize("role", READ_ONLY)
def test_supervisors_read_but_cannot_write(world, role):
    client = client_for(world["people"][role])
    before = snapshot()
    for method, url, body in c2_endpoints(world):
        response = call(client, method, url, body)
        expected = (404 if "/positions/" in url else 200) if method == "get" else 403
        assert response.status_code == expected, (
            role,
            method,
            url,
            response.status_code,
            response.content[:200],
        )
    assert snapshot() == before


def test_an_agent_reads_its_own_grid_but_cannot_change_it(world):
    client = client_for(world["people"]["agent2"])
    before = snapshot()
    assert client.get("/api/v1/grids/C/").status_code == 200
    for method, url, body in [
        ("patch", "/api/v1/grids/C/", {"name": "mine now"}),
        ("post", "/api/v1/grids/C/retire/", {"reason": "x"}),
        (
            "post",
            "/api/v1/grids/C/assignments/",
            {"staff": world["people"]["agent2"].pk, "kind": "backup"},
        ),
        (
            "post",
            "/api/v1/centres/210000001002/shifts/",
            {
                "staff": world["people"]["agent2"].pk,
                "date": "2027-01-04",
                "start": "08:00",
                "end": "12:00",
            },
        ),
        (
            "post",
            f"/api/v1/staff/{world['people']['agent2'].pk}/trainings/",
            {"date": "2026-10-09", "topic": "x", "trainer": "y"},
        ),
    ]:
        response = call(client, method, url, body)
        assert response.status_code == 403, (url, response.content[:200])
        assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot() == before


def test_managers_of_the_area_may(world):
    for role in ("manager2", "street", "lead", "district"):
        client = client_for(world["people"][role])
        assert client.get("/api/v1/grids/C/").status_code == 200, role
        assert client.get(f"/api/v1/staff/{world['people']['agent2'].pk}/").status_code == 200, role
        assert client.get("/api/v1/centres/210000001002/desk-gaps/").status_code == 200, role


def test_lists_are_scoped(world):
    def codes(role):
        return [
            f["id"]
            for f in client_for(world["people"][role]).get("/api/v1/grids/").json()["features"]
        ]

    assert codes("agent1") == ["A", "B"]
    assert codes("agent2") == ["C"]
    assert codes("manager1") == ["A", "B"]
    assert codes("street") == ["A", "B", "C"]
    assert codes("supervisor") == ["A", "B", "C"]
    assert codes("window") == []
    names = {
        s["username"] for s in client_for(world["people"]["manager1"]).get("/api/v1/staff/").json()
    }
    assert names == {"agent1", "manager1"}
    areas = [
        f["id"]
        for f in client_for(world["people"]["manager1"]).get("/api/v1/areas/").json()["features"]
    ]
    assert "210000001002" not in areas and "210000001001" in areas


def test_user_without_profile_sees_nothing(world, django_user_model):
    client = client_for(django_user_model.objects.create_user("stranger"))
    assert client.get("/api/v1/grids/").json()["features"] == []
    assert client.get("/api/v1/grids/A/").status_code == 404
    assert client.get("/api/v1/staff/").json() == []
    assert client.post("/api/v1/me/positions/", {"positions": []}, format="json").status_code == 404


def test_anonymous_gets_401_everywhere_but_public(world):
    client = APIClient()
    for method, url, body in [
        *c2_endpoints(world),
        ("get", "/api/v1/me/", None),
        ("get", "/api/v1/staff/", None),
    ]:
        assert call(client, method, url, body).status_code == 401, url
    assert client.get("/api/v1/public/stations/210000001002/").status_code == 200


# --- /api/v1/centres/{code}/…: a centre out of scope answers exactly as a missing one ----------


def centre_routes():
    """(method, path template) of every endpoint under /api/v1/centres/{code}/, from the URL
    configuration itself: an endpoint added later is swept too."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p.callback

    found = []
    for route, callback in walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/centres/<str:code>/"):
            continue
        view = getattr(callback, "view_class", None)
        for method in ("get", "post", "put", "patch", "delete"):
            if view is not None and hasattr(view, method):
                found.append((method, "/" + route.replace("<str:code>", "{code}")))
    return found


CENTRE_ROUTES = centre_routes()
MISSING_CENTRE = "210000009999"  # a well-formed code no area has


def test_the_sweep_finds_the_centre_endpoints():
    paths = {path for _, path in CENTRE_ROUTES}
    for tail in ("desk/", "desk-gaps/", "shifts/", "desk-days/", "service-items/"):
        assert f"/api/v1/centres/{{code}}/{tail}" in paths


@pytest.fixture
def bare_area(world):
    """An area with no service centre (a community not yet given its station)."""
    from geo import services as geo_services
    from tests.geo.helpers import rect

    return geo_services.area_upsert(
        code="210000001003",
        name="三社区",
        level="community",
        kind="community",
        parent=world["tree"]["street"],
        boundary=rect(0, 0, 10, 10),
    )


def answer(client, method, path, code):
    """Status and error body, with the code asked for taken out of the message and details."""
    response = call(client, method, path.format(code=code), None if method == "get" else {})
    body = response.content.decode().replace(code, "{code}")
    return response.status_code, body


@pytest.mark.parametrize(
    ("method", "path"), CENTRE_ROUTES, ids=[f"{m} {p}" for m, p in CENTRE_ROUTES]
)
@pytest.mark.parametrize("role", OUTSIDERS)
def test_a_centre_out_of_scope_answers_as_a_missing_one(world, bare_area, role, method, path):
    client = client_for(world["people"][role])
    before = snapshot()
    out_of_scope = answer(client, method, path, "210000001002")  # C2's station, not theirs
    missing = answer(client, method, path, MISSING_CENTRE)
    no_centre = answer(client, method, path, bare_area.code)
    malformed = answer(client, method, path, "21000000100x")
    if method == "get" and path.endswith("/service-items/"):
        # public: every existing centre's list is readable; the missing ones answer as one
        assert out_of_scope[0] == 200
    else:
        assert out_of_scope[0] == 404, out_of_scope
        assert out_of_scope == missing, (out_of_scope, missing)
    assert missing[0] == 404 and '"code":"unknown_centre"' in missing[1], missing
    assert no_centre == missing == malformed, (no_centre, missing, malformed)
    assert snapshot() == before


@pytest.mark.parametrize("role", OUTSIDERS)
def test_coverage_of_an_area_out_of_scope_answers_as_a_missing_one(world, role):
    client = client_for(world["people"][role])
    out_of_scope = answer(client, "get", "/api/v1/coverage/?area={code}", "210000001002")
    missing = answer(client, "get", "/api/v1/coverage/?area={code}", MISSING_CENTRE)
    assert out_of_scope[0] == 404 and out_of_scope == missing, (out_of_scope, missing)
