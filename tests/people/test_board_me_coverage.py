"""The public board (no login), /me/, and coverage extended with staffing gaps."""

from datetime import timedelta

from django.utils import timezone

from people.models import GridAssignment, Leave
from tests.factories import client_for, make_staff


def test_public_board_lists_public_agents_only(world, api_client):
    make_staff(
        "hidden", "agent", centre=world["tree"]["c1"].centre, full_name="不公开", public=False
    )
    body = api_client.get("/api/v1/public/stations/210000001001/").json()
    names = [p["full_name"] for p in body["people"]]
    assert "张一" in names and "王站长" in names and "不公开" not in names
    assert body["people"][0].keys() == {"id", "full_name", "post", "phone", "agent_type"}
    assert any("首问负责" in rule for rule in body["rules"])
    assert body["acceptance_days"][0].startswith("轮值受理")
    missing = api_client.get("/api/v1/public/stations/999999999999/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_centre"


def test_public_board_page_is_printable_chinese_html(world, client):
    response = client.get("/board/210000001001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "一社区中心" in html and "张一" in html and "一次告知" in html
    assert client.get("/board/123/").status_code == 404


def test_me(world):
    body = client_for(world["people"]["agent1"]).get("/api/v1/me/").json()
    assert body["staff"]["full_name"] == "张一"
    assert body["staff"]["centre"] == {"code": "210000001001", "name": "一社区中心"}
    assert [(g["code"], g["kind"]) for g in body["grids"]] == [("A", "primary"), ("B", "backup")]


def test_coverage_lists_grids_without_primary_and_all_away(world):
    client = client_for(world["people"]["district"])
    body = client.get("/api/v1/coverage/?area=210000").json()["figures"]
    assert body["grids_without_primary"] == ["B"]  # B has only a backup
    assert body["grids_all_agents_on_leave"] == []
    now = timezone.now()
    Leave.objects.create(
        staff=world["people"]["agent2"], start=now - timedelta(hours=1), end=now + timedelta(days=1)
    )
    body = client.get("/api/v1/coverage/?area=210000").json()["figures"]
    assert body["grids_all_agents_on_leave"] == ["C"]
    GridAssignment.objects.filter(grid__code="C").update(valid_to=timezone.localdate())
    body = client.get("/api/v1/coverage/?area=210000").json()["figures"]
    assert body["grids_without_primary"] == ["B", "C"]
