"""Grid assignments: primary and backup, history never overwritten, scope, bulk, races."""

import threading
from datetime import date

import pytest
from django.db import connection

from people import services
from people.models import GridAssignment
from tests.factories import client_for, make_staff


def url(code):
    return f"/api/v1/grids/{code}/assignments/"


def test_manager_assigns_a_backup_and_history_is_kept(world):
    client = client_for(world["people"]["manager1"])
    extra = make_staff("agent3", "agent", centre=world["tree"]["c1"].centre)
    response = client.post(
        url("A"), {"staff": extra.pk, "kind": "backup", "valid_from": "2026-11-01"}, format="json"
    )
    assert response.status_code == 201, response.content
    assignment_id = response.json()["id"]
    response = client.post(
        f"{url('A')}{assignment_id}/end/",
        {"valid_to": "2026-11-20", "reason": "moved"},
        format="json",
    )
    assert response.status_code == 200
    rows = client.get(url("A")).json()
    assert [(r["staff_name"], r["kind"], r["valid_to"]) for r in rows] == [
        ("张一", "primary", None),
        ("agent3", "backup", "2026-11-20"),
    ]
    again = client.post(
        f"{url('A')}{assignment_id}/end/", {"valid_to": "2026-11-25"}, format="json"
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "assignment_ended"


def test_second_primary_is_refused_until_the_first_ends(world):
    client = client_for(world["people"]["manager1"])
    extra = make_staff("agent3", "agent", centre=world["tree"]["c1"].centre)
    body = {"staff": extra.pk, "kind": "primary", "valid_from": "2026-12-01"}
    response = client.post(url("A"), body, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "grid_has_primary"
    first = GridAssignment.objects.get(grid__code="A", kind="primary")
    client.post(f"{url('A')}{first.pk}/end/", {"valid_to": "2026-12-01"}, format="json")
    assert client.post(url("A"), body, format="json").status_code == 201


def test_bad_assignment_input(world):
    client = client_for(world["people"]["manager1"])
    manager = world["people"]["manager1"]
    cases = [
        ({"staff": manager.pk, "kind": "backup"}, 400, "not_an_agent"),
        ({"staff": world["people"]["agent1"].pk, "kind": "boss"}, 400, "invalid_input"),
        (
            {
                "staff": world["people"]["agent1"].pk,
                "kind": "backup",
                "valid_from": "2026-12-01",
                "valid_to": "2026-11-01",
            },
            400,
            "invalid_dates",
        ),
        ({"staff": world["people"]["agent1"].pk, "kind": "backup"}, 409, "already_assigned"),
        ({"staff": 999999, "kind": "backup"}, 404, "unknown_staff"),
    ]
    before = GridAssignment.objects.count()
    for body, status, code in cases:
        response = client.post(url("B"), body, format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body
    assert GridAssignment.objects.count() == before


def test_bulk_is_all_or_nothing(world):
    client = client_for(world["people"]["street"])
    extra = make_staff("agent3", "agent", centre=world["tree"]["c1"].centre)
    body = {
        "assignments": [
            {"grid": "B", "staff": extra.pk, "kind": "primary", "valid_from": "2026-11-01"},
            {
                "grid": "C",
                "staff": extra.pk,
                "kind": "primary",
                "valid_from": "2026-11-01",
            },  # C has one
        ]
    }
    before = GridAssignment.objects.count()
    response = client.post("/api/v1/assignments/bulk/", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["details"]["item"] == 1
    assert GridAssignment.objects.count() == before
    body["assignments"][1]["kind"] = "backup"
    assert client.post("/api/v1/assignments/bulk/", body, format="json").status_code == 201
    assert GridAssignment.objects.count() == before + 2


# threads write in their own transactions (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_concurrent_primaries_one_wins(world):
    """Two managers assign a primary to one grid at the same moment: the database keeps one."""
    grid = world["grids"]["B"]
    agents = [make_staff(f"race{i}", "agent", centre=world["tree"]["c1"].centre) for i in range(2)]
    actor = world["people"]["manager1"].user
    barrier = threading.Barrier(2)
    outcomes = []

    def assign(agent):
        try:
            barrier.wait()
            services.assignment_create(
                actor=actor,
                item=services.AssignmentInput(
                    grid=grid, staff=agent, kind="primary", valid_from=date(2026, 12, 1)
                ),
            )
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["grid_has_primary", "ok"], outcomes
    assert GridAssignment.objects.filter(grid=grid, kind="primary").count() == 1
