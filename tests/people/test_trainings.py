"""培训: a station records its agents' trainings through the API and lists them; colleagues of
the same station read them, everyone outside the station's scope gets 404 as if there were
none, and only the agent's managers may record one."""

import pytest

from people.models import Role, Training
from tests.factories import client_for, make_staff


def url(staff) -> str:
    return f"/api/v1/staff/{staff.pk}/trainings/"


@pytest.fixture
def colleague(world):
    """A second agent of station C1 (agent1's station)."""
    return make_staff("agent5", Role.AGENT, centre=world["tree"]["c1"].centre, full_name="吴五")


def test_a_manager_records_trainings_and_they_are_listed_newest_first(world):
    agent, manager = world["people"]["agent1"], world["people"]["manager1"]
    client = client_for(manager)
    first = client.post(
        url(agent),
        {"date": "2026-09-01", "topic": "高龄津贴政策", "trainer": "区民政局"},
        format="json",
    )
    second = client.post(
        url(agent),
        {"date": "2026-10-09", "topic": "代办登记本填写", "trainer": "王站长"},
        format="json",
    )
    assert first.status_code == second.status_code == 201, first.content
    assert second.json() == {
        "id": second.json()["id"],
        "date": "2026-10-09",
        "topic": "代办登记本填写",
        "trainer": "王站长",
    }
    stored = Training.objects.get(pk=second.json()["id"])
    assert stored.staff == agent and stored.centre == world["tree"]["c1"].centre

    listed = client.get(url(agent))
    assert listed.status_code == 200
    assert [(t["date"], t["topic"], t["trainer"]) for t in listed.json()] == [
        ("2026-10-09", "代办登记本填写", "王站长"),
        ("2026-09-01", "高龄津贴政策", "区民政局"),
    ]


def test_the_agent_and_station_colleagues_read_them_others_get_404(world, colleague):
    p = world["people"]
    agent = p["agent1"]
    Training.objects.create(
        staff=agent,
        date="2026-10-09",
        topic="代办登记本填写",
        trainer="王站长",
        centre=agent.centre,
    )
    readers = ("agent1", "manager1", "lead", "street", "district", "supervisor")
    for who in readers:
        response = client_for(p[who]).get(url(agent))
        assert response.status_code == 200, who
        assert [t["topic"] for t in response.json()] == ["代办登记本填写"], who
    assert [t["topic"] for t in client_for(colleague).get(url(agent)).json()] == ["代办登记本填写"]

    for who in ("agent2", "manager2", "window"):
        response = client_for(p[who]).get(url(agent))
        assert response.status_code == 404, who
        assert response.json()["error"]["code"] == "unknown_staff", who
    missing = client_for(p["agent2"]).get("/api/v1/staff/999999/trainings/")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        **client_for(p["agent2"]).get(url(agent)).json()["error"],
        "details": {"id": 999999},
    }


def test_only_the_agents_managers_record_one(world, colleague):
    p = world["people"]
    agent = p["agent1"]
    body = {"date": "2026-10-09", "topic": "x", "trainer": "y"}
    for who, status in (("agent1", 403), ("supervisor", 403), ("agent2", 404), ("manager2", 404)):
        response = client_for(p[who]).post(url(agent), body, format="json")
        assert response.status_code == status, (who, response.content)
    assert client_for(colleague).post(url(agent), body, format="json").status_code == 403
    assert not Training.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"date": "2026-10-09", "topic": "   ", "trainer": "王站长"}, "invalid_input"),
        ({"date": "2026-02-30", "topic": "x", "trainer": "y"}, "invalid_input"),
        ({"topic": "x", "trainer": "y"}, "invalid_input"),
        ({"date": "2026-10-09", "topic": "x" * 201, "trainer": "y"}, "invalid_input"),
    ],
    ids=["blank topic", "impossible date", "no date", "topic too long"],
)
def test_bad_input_is_refused_and_stores_nothing(world, body, code):
    response = client_for(world["people"]["manager1"]).post(
        url(world["people"]["agent1"]), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert not Training.objects.exists()
