"""The residents' pages in a real browser at a phone's size (headless Chromium, live server,
real PostGIS): a resident finds their station by the phone's position, books a visit for an
item with the position granted and gets the tracking code; follows it (a wrong phone answers
exactly like a wrong code); rates a closed matter; leaves a suggestion; switches to larger
text; follows a matter with JavaScript off. On every page axe-core finds no serious or
critical violation, and the Content-Security-Policy refuses nothing. Screenshots:
var/test-artifacts/residents/."""

from __future__ import annotations

import re

import pytest

from appointments.models import Appointment
from cases.models import Case, Status
from feedback.models import Suggestion
from tests.a11y import axe_violations
from tests.browser import PHONE, WAIT_MS, eventually, in_db, until, watched
from tests.browser import shot as browser_shot
from tests.geo.helpers import lonlat
from tests.worlds.cases import accepted_case

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOT_FOUND = "没有找到。请核对办事编号和手机号码后四位。"


def phone(browser, live_server, *, geolocation=None, javascript=True):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        java_script_enabled=javascript,
    )
    context.set_default_timeout(WAIT_MS)
    if geolocation:
        context.grant_permissions(["geolocation"], origin=live_server.url)
        context.set_geolocation(geolocation)
    return context, watched(context.new_page())


def checked(page, name):
    """A screenshot kept, then axe-core over the page: nothing serious or critical."""
    browser_shot(page, "residents", name)
    assert axe_violations(page) == [], name
    assert page.errors == [], name


@pytest.fixture
def closed(case_world):
    """A matter closed without a rating (closed in the database: the workflow has its tests)."""
    case = accepted_case(case_world)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    return case


def test_a_resident_books_follows_rates_and_suggests(case_world, closed, browser, live_server):
    lon, lat = lonlat(300, 400)  # in grid A: agent1's
    station = case_world["tree"]["c1"].centre.name
    context, page = phone(browser, live_server, geolocation={"longitude": lon, "latitude": lat})

    # home: the service, the catalogue, the station found by the phone's position
    page.goto(f"{live_server.url}/")
    browser_shot(page, "residents", "home-top")
    page.get_by_role("button", name="用手机定位查找").click()
    page.wait_for_selector(".stations")
    assert station in page.inner_text(".stations")
    page.get_by_text("残疾人证办理").first.click()  # the one-time notice opens in place
    checked(page, "home")

    # ask for a visit: the item chosen from the catalogue, the phone's position on the map
    page.get_by_role("link", name="预约办这件事").first.click()
    page.wait_for_selector("#map.leaflet-container")
    page.get_by_label("姓名").fill("赵大爷")
    page.get_by_label("手机号码（代办员会打这个电话）").fill("138 0000 1234")
    page.get_by_label("家庭住址（小区、楼号、单元、门牌）").fill("幸福小区 3 号楼 2 单元 101")
    page.get_by_role("button", name="用我现在的位置").click()
    until(page, "document.querySelector('[data-map]').dataset.placed === '1'")
    page.get_by_label("上午还是下午").select_option("pm")
    page.get_by_label("哪一天").select_option(index=2)
    checked(page, "visit-form")
    page.get_by_role("button", name="提交预约").click()
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"[2-9A-Z]{10}", code)
    assert "张一" in page.inner_text("main")  # the agent who will call
    checked(page, "visit-done")
    booked = eventually(lambda: Appointment.objects.filter(tracking_code=code).first())
    assert abs(booked.location.x - lon) < 1e-6 and abs(booked.location.y - lat) < 1e-6

    # follow it: a wrong phone answers exactly like a wrong code
    page.get_by_role("link", name="查询进度").first.click()
    answers = []
    for c, p in ((code, "9999"), ("ZZZZZZZZZZ", "1234")):
        page.get_by_label("办事编号").fill(c)
        page.get_by_label("手机号码后四位").fill(p)
        page.get_by_role("button", name="查询").click()
        answers.append(page.inner_text("#refused"))
    assert answers[0] == answers[1] and NOT_FOUND in answers[0]
    checked(page, "follow-not-found")
    page.get_by_label("办事编号").fill(code)
    page.get_by_label("手机号码后四位").fill("1234")
    page.get_by_role("button", name="查询").click()
    assert "代办员会先打电话" in page.inner_text("#status-words")
    checked(page, "follow")

    # rate a closed matter
    page.goto(f"{live_server.url}/follow/")
    page.get_by_label("办事编号").fill(closed.tracking_code)
    page.get_by_label("手机号码后四位").fill("5678")
    page.get_by_role("button", name="查询").click()
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("想说的话（可以不写）").fill("不用跑腿，很满意")
    checked(page, "rate")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_selector("#rated")
    assert in_db(lambda: Case.objects.get(pk=closed.pk).rating) == 4

    # a suggestion, in larger text
    page.get_by_role("link", name="意见建议").click()
    page.get_by_role("button", name="字体变大").click()
    until(page, "document.documentElement.classList.contains('large')")
    page.get_by_label("给哪个服务站").select_option(label=station)
    page.get_by_label("您的意见或建议").fill("希望周六上午也能受理。")
    checked(page, "suggest-large-text")
    page.get_by_role("button", name="提交").click()
    number = page.inner_text("#suggestion-number")
    assert in_db(lambda: Suggestion.objects.get(pk=int(number)).text) == "希望周六上午也能受理。"
    checked(page, "suggest-done")
    context.close()

    # the tracking page with JavaScript off: a plain form that posts
    context, page = phone(browser, live_server, javascript=False)
    page.goto(f"{live_server.url}/follow/")
    page.get_by_label("办事编号").fill(code)
    page.get_by_label("手机号码后四位").fill("1234")
    page.get_by_role("button", name="查询").click()
    assert "提交预约" in page.inner_text(".timeline")
    browser_shot(page, "residents", "follow-no-javascript")
    context.close()


def test_refusals_and_the_other_pages_are_accessible(case_world, browser, live_server):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/visit/")
    page.get_by_role("button", name="提交预约").click()  # nothing filled in
    assert "没有提交成功" in page.inner_text("#refused")
    checked(page, "visit-refused")
    page.focus("#map")  # the home placed by keyboard: arrows move the map, Enter marks its centre
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    until(page, "document.querySelector('[data-map]').dataset.placed === '1'")
    assert page.input_value("input[name=lon]") and page.input_value("input[name=lat]")
    for path, name in (("/complain/", "complain"), ("/complaint/", "complaint-follow")):
        page.goto(f"{live_server.url}{path}")
        checked(page, name)
    assert in_db(Appointment.objects.count) == 0
    context.close()
