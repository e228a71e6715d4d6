"""The field app in a real browser: Debian's headless Chromium driven by Playwright at a
phone's size (360×780), against the live server on real PostGIS.

A grid worker signs in and sees the day by urgency; with no network (the page's requests and
the service worker's own aborted) confirms an appointment, checks in with the phone's position
and attaches a photo through the file chooser: 3 waiting, also after a reload with no network;
a revoked token brings the sign-in back without losing them; online again, the queue empties
— one request lost after the server took it is sent again with its key — and the database
holds each change once. A stale case edit shows the conflict and the server's state; retry
applies it once. Sign-out keeps the queue for the same user only.

The live server runs in another thread; the ORM is used before Playwright starts or in a
thread of its own (`in_db`): Playwright's sync API runs an event loop in this thread.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import DeviceToken
from appointments.models import Appointment, AppointmentEvent
from attachments.models import Attachment
from cases import services as case_services
from cases.models import Case
from tests.browser import PHONE, WAIT_MS, eventually, in_db, until, watched
from tests.browser import shot as browser_shot
from visits.models import Visit

# serialized_rollback: the working-day calendar seeded by migrations (routing needs it)
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def phone(browser, live_server, geolocation=None):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(WAIT_MS)
    if geolocation:
        context.grant_permissions(["geolocation"], origin=live_server.url)
        context.set_geolocation(geolocation)
    # the Content-Security-Policy (core/csp.py) refuses nothing the app needs
    return context, watched(context.new_page())


def sign_in(page, username, password="pw-12345"):
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("#tabs:not([hidden])")
    page.wait_for_selector("#refresh")  # today is drawn: the sign-in has settled


def offline(context, on: bool):
    if on:
        context.set_offline(True)
        context.route("**", lambda route: route.abort())
    else:
        context.unroute("**")
        context.set_offline(False)


def pending(page) -> str:
    return page.get_attribute("body", "data-pending")


def shot(page, name):
    browser_shot(page, "fieldapp", name)


def a_photo(tmp_path) -> Path:
    path = tmp_path / "papers.jpg"
    Image.new("RGB", (3000, 2000), (240, 235, 220)).save(path, "JPEG")
    return path


def test_a_day_offline_then_online_applies_each_change_once(day, live_server, browser, tmp_path):
    lon, lat = day["home"]
    context, page = phone(
        browser, live_server, geolocation={"latitude": lat, "longitude": lon, "accuracy": 12}
    )
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")

    # today's tasks, most urgent first: the appointment to answer before anything else
    page.wait_for_selector("li.task")
    urgencies = [
        int(u)
        for u in page.eval_on_selector_all("li.task", "els => els.map(e => e.dataset.urgency)")
    ]
    keys = page.eval_on_selector_all("li.task", "els => els.map(e => e.dataset.key)")
    assert urgencies == sorted(urgencies)
    assert keys[0] == f"appointment_to_confirm:{day['to_confirm'].pk}"
    assert f"visit:{day['visit'].pk}" in keys and f"case:{day['case'].pk}" in keys
    assert keys[1] == f"case:{day['late'].pk}"  # overdue: next
    assert page.get_attribute(f"li.task[data-key='case:{day['late'].pk}']", "class") == (
        "task light-red"
    )
    until(page, "navigator.serviceWorker.controller !== null")
    page.wait_for_timeout(500)  # the task details are kept for offline use
    shot(page, "today")

    # no network at all: three pieces of work are queued
    offline(context, True)
    page.click(f"li.task[data-key='appointment_to_confirm:{day['to_confirm'].pk}'] a")
    page.wait_for_selector("form.action[data-action=confirm]")
    shot(page, "appointment")
    page.click("form.action[data-action=confirm] button[type=submit]")
    page.wait_for_selector("body[data-pending='1']")

    page.goto(f"{live_server.url}/app/#/visit/{day['visit'].pk}")
    page.click("#check-in")
    page.wait_for_selector("body[data-pending='2']")
    with page.expect_file_chooser() as chooser:
        page.click("label[for=photo]")
    chooser.value.set_files(str(a_photo(tmp_path)))
    page.wait_for_selector("body[data-pending='3']")
    assert "3 条待发送" in page.inner_text("#net")
    shot(page, "visit-offline")

    # a reload with no network: the app still opens, the work still waits
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert pending(page) == "3"
    page.goto(f"{live_server.url}/app/#/queue")
    page.wait_for_selector("ol.queue li")
    assert page.locator("ol.queue li").count() == 3
    shot(page, "queue-offline")

    # the phone's token was revoked meanwhile: the sign-in comes back, the queue stays
    in_db(
        lambda: DeviceToken.objects.filter(user__username="agent1").update(
            revoked_at=timezone.now()
        )
    )
    # the check-in's answer is lost once after the server took it: sent again with its key
    lost = {"n": 0}

    def lose_first_answer(route):
        if lost["n"] == 0:
            lost["n"] += 1
            route.fetch()  # the server does the work …
            route.abort()  # … and the phone never hears back
        else:
            route.continue_()

    offline(context, False)
    context.route("**/check-in/", lose_first_answer)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("input[name=password]")
    assert pending(page) == "3"
    sign_in(page, "agent1")
    # confirm goes, the check-in's answer is lost: the line stops there
    page.wait_for_selector("body[data-pending='2']")
    assert lost["n"] == 1
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("body[data-pending='0']", timeout=20_000)
    page.wait_for_selector("body:not([data-synced-at=''])")
    assert page.errors == []
    context.close()

    def check():
        a = Appointment.objects.get(pk=day["to_confirm"].pk)
        visit = Visit.objects.get(pk=day["visit"].pk)
        return (
            a.status,
            AppointmentEvent.objects.filter(appointment=a, action="confirm").count(),
            visit.status,
            visit.checked_in_at is not None,
            Attachment.objects.filter(visit=visit).count(),
            Attachment.objects.get(visit=visit).size,
        )

    status, confirms, visit_status, checked_in, photos, size = in_db(check)
    assert (status, confirms) == ("confirmed", 1)
    assert (visit_status, checked_in) == ("in_progress", True)
    assert photos == 1
    assert size < 400_000  # resized on the phone (3000×2000 → 1600×1067)


def test_a_stale_case_edit_shows_the_conflict_and_retry_applies_it_once(day, live_server, browser):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/app/#/case/{day['case'].pk}")
    page.wait_for_selector("details.action summary >> text=修改办件信息")
    # the actions the server offers for a case in pre-review, in a worker's words
    offered = page.eval_on_selector_all("[data-action]", "els => els.map(e => e.dataset.action)")
    assert {"review", "accept", "decline"} <= set(offered)
    assert "hand_over" not in offered  # offered by the server, but no colleague to take it
    assert "forward" not in offered  # not before it is accepted
    shot(page, "case")
    offline(context, True)
    page.click("text=修改办件信息")
    page.fill("textarea[name=description]", "申请人行动不便，需上门")
    page.click("details.action form >> text=保存")
    page.wait_for_selector("body[data-pending='1']")

    # the station manager edits the case meanwhile
    manager = day["manager"]
    version = in_db(lambda: Case.objects.get(pk=day["case"].pk).version)
    in_db(
        lambda: case_services.case_edit(
            actor=manager,
            case_id=day["case"].pk,
            if_match=f'"{version}"',
            changes={"description": "站长：周三上午上门"},
        )
    )
    offline(context, False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.goto(f"{live_server.url}/app/#/queue")
    page.wait_for_selector("li.conflict [role=alert]")
    text = page.inner_text("li.conflict")
    assert "412" in text and "站长：周三上午上门" in text
    shot(page, "conflict")
    page.get_by_role("button", name="按新版本重试").click()
    page.wait_for_selector("body[data-pending='0']")

    # an accepted case's receipt opens (fetched with the token, shown from a blob)
    page.goto(f"{live_server.url}/app/#/case/{day['late'].pk}")
    with page.expect_popup() as popup:
        page.get_by_role("button", name="打开回执（PDF）").click()
    assert popup.value.url.startswith("blob:")
    popup.value.close()

    # notifications: the unread count on the tab, the list, all marked read
    page.goto(f"{live_server.url}/app/#/notifications")
    page.wait_for_selector("ul.notes li.unread")
    assert page.get_attribute("#tabs a[href='#/notifications']", "aria-label") == "通知（2）"
    shot(page, "notifications")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_selector("ul.notes li.read")
    assert page.locator("ul.notes li.unread").count() == 0
    assert page.errors == []
    context.close()

    case = in_db(lambda: Case.objects.get(pk=day["case"].pk))
    assert case.description == "申请人行动不便，需上门"
    assert case.version == version + 2  # the manager's edit and the worker's, once each


def test_sign_out_keeps_the_queue_for_the_same_user_only(day, live_server, browser):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/app/#/appointment/{day['to_confirm'].pk}")
    page.wait_for_selector("form.action[data-action=confirm]")
    offline(context, True)
    page.click("form.action[data-action=confirm] button[type=submit]")
    page.wait_for_selector("body[data-pending='1']")
    page.goto(f"{live_server.url}/app/#/me")
    page.click("#sign-out")
    page.wait_for_selector("input[name=password]")
    offline(context, False)

    # another worker on the same phone sees none of it, and it is not sent as theirs
    sign_in(page, "agent2")
    page.wait_for_selector("body[data-ready='1']")
    assert pending(page) == "0"
    page.goto(f"{live_server.url}/app/#/queue")
    page.wait_for_selector("p.empty")
    page.goto(f"{live_server.url}/app/#/me")
    page.click("#sign-out")
    page.wait_for_selector("input[name=password]")
    assert in_db(lambda: Appointment.objects.get(pk=day["to_confirm"].pk).status) == (
        "awaiting_confirmation"
    )

    # the same worker again: their queue goes, once
    sign_in(page, "agent1")
    a = eventually(
        lambda: Appointment.objects.filter(pk=day["to_confirm"].pk, status="confirmed").first()
    )
    page.wait_for_selector("body[data-pending='0']")

    # now confirmed: a home visit is planned for it, once
    page.goto(f"{live_server.url}/app/#/appointment/{day['to_confirm'].pk}")
    page.click("#plan-visit")
    eventually(lambda: Visit.objects.filter(appointment=day["to_confirm"].pk).exists())
    # English on request
    page.goto(f"{live_server.url}/app/#/me")
    page.get_by_label("语言 / Language").select_option("en")
    page.wait_for_selector("#tabs >> text=Today")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.errors == []
    context.close()
    assert in_db(lambda: Visit.objects.filter(appointment=day["to_confirm"].pk).count()) == 1
    assert (
        in_db(lambda: AppointmentEvent.objects.filter(appointment=a, action="confirm").count()) == 1
    )


def test_a_station_manager_sees_the_stations_work(day, live_server, browser):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "manager1")
    page.click("#tabs a[href='#/station']")
    page.wait_for_selector("table.load tbody tr")
    assert "张一" in page.inner_text("table.load")
    # the overdue case, one tap from its screen
    page.click(f"a[href='#/case/{day['late'].pk}']")
    page.wait_for_selector("[data-action=forward]")
    shot(page, "station-case")
    assert page.errors == []
    context.close()


def test_a_new_version_waits_while_work_is_queued(day, live_server, browser, monkeypatch):
    from fieldapp import views

    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    until(page, "navigator.serviceWorker.controller !== null")
    page.goto(f"{live_server.url}/app/#/appointment/{day['to_confirm'].pk}")
    page.wait_for_selector("form.action[data-action=confirm]")
    offline(context, True)
    page.click("form.action[data-action=confirm] button[type=submit]")
    page.wait_for_selector("body[data-pending='1']")

    # a deployment: the worker script changes; the API is still out of reach for this phone
    monkeypatch.setattr(views, "_version", lambda: "next-version")
    offline(context, False)
    context.route("**/api/v1/appointments/*/actions/**", lambda route: route.abort())
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    caches = "caches.keys().then(k => k.filter(n => n.startsWith('fieldapp-shell-')).sort())"
    # the new one installs and waits: the old one still serves while work is queued
    until(page, "navigator.serviceWorker.getRegistration().then(r => !!r.waiting)")
    page.wait_for_timeout(500)
    assert page.evaluate("navigator.serviceWorker.getRegistration().then(r => !!r.waiting)")
    assert page.evaluate(f"{caches}.then(k => k.length)") == 2
    assert pending(page) == "1"

    # Not checked here: that it then takes over at once when the queue empties (the page asks
    # it to, and it calls skipWaiting, but headless Chromium under Playwright keeps it waiting);
    # it takes over at the latest when the app is next started.
    context.unroute("**/api/v1/appointments/*/actions/**")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("body[data-pending='0']")
    assert page.errors == []
    context.close()
