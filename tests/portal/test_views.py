"""The residents' pages as plain forms (Django's test client, no JavaScript): each refusal in
plain words with nothing stored, the throttles shared with the API, the tracking flow and the
rating end to end."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from appointments.models import Appointment
from cases.models import Case, Status
from feedback.models import Complaint, Suggestion
from tests.geo.helpers import lonlat
from tests.worlds.cases import accepted_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(enforce_csrf_checks=False)


def visit_form(**overrides):
    lon, lat = lonlat(100, 100)
    data = {
        "item": "MZ-001",
        "name": "张三",
        "phone": "13800001234",
        "address": "测试小区 3 号楼 2 单元",
        "lon": f"{lon:.7f}",
        "lat": f"{lat:.7f}",
        "day": "",
        "part": "",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_home_page_lists_the_items_with_their_notice(routed_world, client):
    response = client.get("/")
    assert response.status_code == 200
    page = text(response)
    assert "高龄津贴申请" in page and "个工作日内办好" in page
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_nearest_station_by_position_and_by_address(routed_world, client):
    lon, lat = lonlat(100, 100)
    page = text(client.get("/", {"lon": lon, "lat": lat}))
    assert "您家所在社区" in page and "/board/" in page
    c1 = routed_world["tree"]["c1"]
    page = text(client.get("/", {"q": f"某某街道{c1.name}5号楼"}))
    assert c1.centre.name in page
    assert "没有找到" in text(client.get("/", {"q": "火星"}))


def test_booking_shows_the_code_the_agent_and_the_notice(routed_world, client):
    response = client.post("/visit/", visit_form())
    assert response.status_code == 201, text(response)
    appointment = Appointment.objects.get()
    page = text(response)
    assert appointment.tracking_code in page
    assert "张一" in page  # the agent, as the API shows anonymous bookers
    assert "要准备的材料" in page
    assert appointment.channel == "web"


def test_booking_without_the_map_takes_the_chosen_community(routed_world, client):
    c1 = routed_world["tree"]["c1"]
    response = client.post("/visit/", visit_form(lon="", lat="", community=c1.code))
    assert response.status_code == 201, text(response)
    assert Appointment.objects.get().location.equals_exact(c1.centre.location, 1e-9)


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"phone": "12345"}, "手机号码不对"),
        ({"name": ""}, "请填写您的姓名"),
        ({"item": ""}, "请选择要办的事"),
        ({"address": ""}, "请填写家庭住址"),
        ({"lon": "", "lat": ""}, "请在地图上点一下您家的位置"),
        ({"item": "QT-000", "description": ""}, "请写一下要办什么"),
        ({"item": "NOPE-1"}, "请选择要办的事"),
        ({"day": "2020-01-01", "part": "am"}, "方便上门的时间不对"),
    ],
)
def test_a_refused_booking_says_why_in_plain_words_and_stores_nothing(
    routed_world, client, overrides, words
):
    response = client.post("/visit/", visit_form(**overrides))
    assert response.status_code == 400
    page = text(response)
    assert words in page and "没有提交成功" in page
    assert Appointment.objects.count() == 0
    # what was typed is still there
    assert 'value="测试小区 3 号楼 2 单元"' in page or overrides.get("address") == ""


def test_bookings_share_the_apis_throttle(routed_world, client, monkeypatch):
    from appointments.api.views import AnonAppointmentThrottle

    monkeypatch.setattr(AnonAppointmentThrottle, "rate", "1/hour", raising=False)
    assert client.post("/visit/", visit_form()).status_code == 201
    refused = client.post("/visit/", visit_form())
    assert refused.status_code == 429
    assert "提交得太频繁了" in text(refused)
    assert Appointment.objects.count() == 1


def test_following_without_javascript(routed_world, client):
    client.post("/visit/", visit_form())
    code = Appointment.objects.get().tracking_code
    form = text(client.get("/follow/"))
    assert '<form method="post" action="/follow/"' in form
    found = client.post("/follow/", {"code": code.lower(), "phone": "1234"})
    assert found.status_code == 200
    page = text(found)
    assert code in page and "代办员会先打电话" in page and "提交预约" in page
    wrong_phone = client.post("/follow/", {"code": code, "phone": "9999"})
    wrong_code = client.post("/follow/", {"code": "ZZZZZZZZZZ", "phone": "1234"})
    assert wrong_phone.status_code == wrong_code.status_code == 404
    message = "没有找到。请核对办事编号和手机号码后四位。"
    assert message in text(wrong_phone) and message in text(wrong_code)


def test_following_is_throttled_like_the_api(routed_world, client, monkeypatch):
    from cases.api.views import TrackThrottle

    monkeypatch.setattr(TrackThrottle, "rate", "1/hour", raising=False)
    client.post("/follow/", {"code": "ZZZZZZZZZZ", "phone": "1234"})
    refused = client.post("/follow/", {"code": "ZZZZZZZZZZ", "phone": "1234"})
    assert refused.status_code == 429 and "提交得太频繁了" in text(refused)


def test_a_closed_case_is_rated_once(case_world, client):
    case = accepted_case(case_world)
    form = {"code": case.tracking_code, "phone": "5678"}
    early = client.post("/follow/rate/", {**form, "rating": "5"})
    assert early.status_code == 409 and "还没有办完" in text(early)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    page = text(client.post("/follow/", form))
    assert "请您评价" in page and "原件在谁手里" in page
    missing = client.post("/follow/rate/", form)
    assert missing.status_code == 400 and "请选择满意程度" in text(missing)
    wrong = client.post("/follow/rate/", {**form, "phone": "0000", "rating": "4"})
    assert wrong.status_code == 404
    done = client.post("/follow/rate/", {**form, "rating": "4", "comment": "很好"})
    assert done.status_code == 200 and "谢谢您的评价" in text(done)
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == (4, "很好")
    assert case.events.filter(action="rate").count() == 1
    again = client.post("/follow/rate/", {**form, "rating": "1"})
    assert again.status_code == 409 and "已经评价过了" in text(again)
    case.refresh_from_db()
    assert case.rating == 4


def test_the_api_rates_the_same_way(case_world, api_client):
    case = accepted_case(case_world)
    url = f"/api/v1/track/{case.tracking_code}/rating/"
    assert api_client.post(url, {"phone": "5678", "rating": 5}, format="json").status_code == 409
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    assert api_client.post(url, {"phone": "0000", "rating": 5}, format="json").status_code == 404
    response = api_client.post(url, {"phone": "5678", "rating": 5}, format="json")
    assert response.status_code == 200 and response.json()["rating"] == 5
    tracked = api_client.get(f"/api/v1/track/{case.tracking_code}/?phone=5678").json()
    assert tracked["rating"] == 5 and tracked["can_rate"] is False
    assert tracked["originals"] == []


def test_a_suggestion_and_its_refusals(routed_world, client):
    c1 = routed_world["tree"]["c1"]
    empty = client.post("/suggest/", {"station": c1.code, "text": ""})
    assert empty.status_code == 400 and "请写下您的意见" in text(empty)
    bad_phone = client.post("/suggest/", {"station": c1.code, "text": "好", "phone": "123"})
    assert bad_phone.status_code == 400 and "手机号码不对" in text(bad_phone)
    no_station = client.post("/suggest/", {"station": "", "text": "好"})
    assert no_station.status_code == 400 and "请选择服务站" in text(no_station)
    assert Suggestion.objects.count() == 0
    done = client.post("/suggest/", {"station": c1.code, "text": "希望周六也能受理。"})
    assert done.status_code == 201
    assert str(Suggestion.objects.get().pk) in text(done)


def test_suggestions_share_the_feedback_throttle(routed_world, client, monkeypatch):
    from feedback.api.views import AnonFeedbackThrottle

    monkeypatch.setattr(AnonFeedbackThrottle, "rate", "1/hour", raising=False)
    c1 = routed_world["tree"]["c1"]
    assert client.post("/suggest/", {"station": c1.code, "text": "一"}).status_code == 201
    refused = client.post("/suggest/", {"station": c1.code, "text": "二"})
    assert refused.status_code == 429 and Suggestion.objects.count() == 1


def test_a_complaint_about_a_matter_and_following_it(case_world, client):
    case = accepted_case(case_world)
    bare = {"code": case.tracking_code, "name": "王五", "phone": "13912345678", "text": "没来"}
    missing = client.post("/complain/", {**bare, "name": ""})
    assert missing.status_code == 400 and "请填写您的姓名" in text(missing)
    unknown = client.post("/complain/", {**bare, "code": "ZZZZZZZZZZ"})
    assert unknown.status_code == 400 and "没有找到这个办事编号" in text(unknown)
    neither = client.post("/complain/", {**bare, "code": ""})
    assert neither.status_code == 400 and "请填写要投诉的办事编号" in text(neither)
    assert Complaint.objects.count() == 0
    done = client.post("/complain/", bare)
    assert done.status_code == 201
    complaint = Complaint.objects.get()
    assert complaint.tracking_code in text(done)
    followed = client.post("/complaint/", {"code": complaint.tracking_code, "phone": "5678"})
    assert followed.status_code == 200 and "已经收到" in text(followed)
    wrong = client.post("/complaint/", {"code": complaint.tracking_code, "phone": "0000"})
    assert wrong.status_code == 404


def test_the_larger_text_switch_is_kept_and_goes_back(routed_world, client):
    response = client.post("/text-size/", {"size": "large", "next": "/follow/"})
    assert response.status_code == 302 and response["Location"] == "/follow/"
    assert '<html lang="zh-CN" class="large">' in text(client.get("/follow/"))
    away = client.post("/text-size/", {"size": "normal", "next": "https://evil.example/"})
    assert away["Location"] == "/"


def test_forms_need_csrf(routed_world):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/visit/", visit_form()).status_code == 403
    assert Appointment.objects.count() == 0


def test_the_point_for_the_map(routed_world, client, settings):
    lon, lat = lonlat(0, 0)
    plain = client.get("/visit/point/", {"lon": lon, "lat": lat}).json()
    assert plain["crs"] == "wgs84" and abs(plain["lon"] - lon) < 1e-9
    settings.MAP_BASEMAP_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"
    settings.MAP_BASEMAP_SUBDOMAINS = "1234"
    settings.MAP_BASEMAP_CRS = "gcj02"
    shifted = client.get("/visit/point/", {"lon": lon, "lat": lat}).json()
    assert shifted["crs"] == "gcj02" and abs(shifted["lon"] - lon) > 1e-4
    page = client.get("/visit/")
    assert "https://webrd01.is.autonavi.com" in page["Content-Security-Policy"]
    assert client.get("/visit/point/", {"lon": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/follow/", {"code": "AB\x00C", "phone": "1234"}),
        ("post", "/visit/", {"name": "张\x00三"}),
        ("get", "/?q=%00", None),
        ("post", "/complaint/", {"code": "X", "phone": "\x00"}),
    ],
)
def test_characters_the_database_cannot_hold_are_refused(routed_world, client, method, path, data):
    response = getattr(client, method)(path, data) if data else client.get(path)
    assert response.status_code == 400
    assert "无法识别的字符" in text(response)
    assert Appointment.objects.count() == 0


def test_a_complaint_about_a_staff_member_named_on_the_board(routed_world, client):
    agent = routed_world["people"]["agent1"]
    board = text(client.get(f"/board/{routed_world['tree']['c1'].code}/"))
    assert f'href="/complain/?staff={agent.pk}"' in board
    assert f"/suggest/?station={routed_world['tree']['c1'].code}" in board
    assert agent.full_name in text(client.get("/complain/", {"staff": agent.pk}))
    form = {"staff": agent.pk, "name": "王五", "phone": "13912345678", "text": "约好了没来"}
    done = client.post(f"/complain/?staff={agent.pk}", form)
    assert done.status_code == 201, text(done)
    assert Complaint.objects.get().staff_id == agent.pk
