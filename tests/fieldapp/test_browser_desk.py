"""The desk in a real browser at a desktop's size (1280×800): the field app's own page and case
screens, opened at /desk/.

Street/town centre staff find a forwarded matter in "forwarded to us", with the window it went
to; the window's staff open it from "to receive" with the keyboard — someone else received it
meanwhile, so the screen shows the conflict (412) and the current state — then mark the result
ready and print the receipt; back at the centre it is in "ready to hand back". A complaint is
investigated, answered and closed with its outcome, its history on screen.
"""

from __future__ import annotations

import pytest

from cases.models import Case, Status
from feedback import services as feedback_services
from feedback.models import Complaint
from tests.browser import DESKTOP, WAIT_MS, in_db, until, watched
from tests.browser import shot as browser_shot
from tests.cases.conftest import accepted_case, act

from .test_browser import pytestmark  # noqa: F401  (transactional, slow)


def shot(page, name):
    browser_shot(page, "desk", name)


def desk(browser, live_server, username):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(WAIT_MS)
    page = watched(context.new_page())
    page.goto(f"{live_server.url}/desk/")
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-12345")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector(".desk-queues")
    return context, page


def open_queue(page, key):
    page.click(f"#queue-{key}")
    page.wait_for_selector(f"#queue-{key}[aria-current=page]")


def row(page, case):
    return page.locator(f"#desk-table tr[data-id='{case.pk}']")


@pytest.fixture
def desk_day(case_world):
    """A matter forwarded to the window MZJ-01 and a complaint about agent1 (made before
    Playwright starts: its loop runs in the test's thread)."""
    p = case_world["people"]
    case = act(p["agent1"], accepted_case(case_world), "forward")
    complaint = feedback_services.complaint_create(
        actor=None,
        staff_id=p["agent1"].pk,
        complainant_name="张三",
        complainant_phone="13800001234",
        text="约好上门却没有来，也没有通知。",
    )
    return p, case, complaint


def test_a_forwarded_matter_goes_round_the_desks_and_a_complaint_is_closed(
    desk_day, live_server, browser
):
    p, case, complaint = desk_day

    # the centre: "forwarded to us" holds it, with the window it went to
    centre, page = desk(browser, live_server, "street")
    assert page.evaluate("location.hash") == "#/desk"
    assert page.get_attribute("#queue-forwarded", "data-count") == "1"
    assert "区民政局 社会救助窗口" in row(page, case).inner_text()
    assert page.inner_text("#figure-overdue") == "1"
    shot(page, "centre-forwarded")
    page.keyboard.press("n")  # the next matter: the first of the queue
    page.wait_for_selector("#back-to-queue")
    assert "已报送" in page.inner_text("main")
    page.keyboard.press("Escape")
    page.wait_for_selector("#desk-table")

    # the window: to receive → (someone else received it meanwhile: 412) → result ready
    window, wpage = desk(browser, live_server, "window")
    assert wpage.evaluate("location.hash") == "#/desk"
    assert row(wpage, case).count() == 1
    shot(wpage, "window-to-receive")
    wpage.focus("#desk-table a.open")
    wpage.keyboard.press("Enter")
    wpage.wait_for_selector("form.action[data-action=receive]")
    in_db(lambda: act(p["street"], Case.objects.get(pk=case.pk), "receive"))
    wpage.click("form.action[data-action=receive] button[type=submit]")
    wpage.wait_for_selector(".card.conflict [role=alert]")
    conflict = wpage.inner_text(".card.conflict")
    assert "412" in conflict and "窗口办理中" in conflict
    shot(wpage, "window-conflict")
    wpage.get_by_role("button", name="放弃这条修改").click()
    wpage.wait_for_selector("form.action[data-action=result_ready]")
    wpage.click("form.action[data-action=result_ready] button[type=submit]")
    wpage.wait_for_selector("body[data-pending='0']")
    until(wpage, "document.querySelector('main').innerText.includes('结果待取')")
    with window.expect_page() as receipt:
        wpage.get_by_role("button", name="打开回执（PDF）").click()
    assert receipt.value.url.startswith("blob:")
    shot(wpage, "window-result-ready")
    wpage.click("#back-to-queue")
    wpage.wait_for_selector("#queue-to_receive[data-count='0']")
    open_queue(wpage, "decided")
    wpage.wait_for_selector(f"#desk-table tr[data-id='{case.pk}']")
    assert wpage.errors == []
    window.close()
    assert in_db(lambda: Case.objects.get(pk=case.pk).status) == Status.RESULT_READY

    # back at the centre: ready to hand back
    open_queue(page, "ready")
    page.wait_for_selector(f"#desk-table tr[data-id='{case.pk}']")
    shot(page, "centre-ready")

    # a complaint handled to its outcome
    open_queue(page, "complaints")
    page.wait_for_selector(f"#desk-table tr[data-id='{complaint.pk}']")
    shot(page, "centre-complaints")
    page.click(f"#desk-table tr[data-id='{complaint.pk}'] a.open")
    page.get_by_role("button", name="开始调查").click()
    page.wait_for_selector("form.action[data-action=reply]", state="attached")
    page.click("details.action summary >> text=答复投诉人")
    page.fill("textarea[name=reply]", "已核实，代办员当天临时生病，已致歉并改约。")
    page.click("form.action[data-action=reply] button[type=submit]")
    page.wait_for_selector("form.action[data-action=close]", state="attached")
    page.click("details.action summary >> text=办结投诉（记录结果）")
    page.select_option("select[name=outcome]", "partly_upheld")
    page.fill("form.action[data-action=close] textarea[name=note]", "提醒代办员提前告知")
    page.click("form.action[data-action=close] button[type=submit]")
    page.wait_for_selector("#outcome")
    assert "部分属实" in page.inner_text("#outcome")
    assert page.locator("#history li").count() == 4
    shot(page, "complaint-closed")
    assert page.errors == []
    centre.close()

    closed = in_db(lambda: Complaint.objects.get(pk=complaint.pk))
    assert (closed.status, closed.outcome) == ("closed", "partly_upheld")
    assert closed.outcome_note == "提醒代办员提前告知"
