"""The field app keeping in step with the server, in a real browser (the same phone, server and
fixtures as test_browser.py): positions sent while on duty, a tombstone from /sync/ dropping an
appointment reassigned to a colleague, a 410 `resync_required` reloading from scratch, and a
hand-over to a colleague at the same station.

Each sync is asked for with the Today screen's refresh control (it sends the queue, reads
/sync/ and then the positions kept while on duty), not by waiting for `syncSeconds`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from appointments import actions as appointment_actions
from appointments.models import Appointment
from cases import services as case_services
from cases.models import Case
from geo.models import Grid
from people.models import GridAssignment, PositionReport, Role, Staff
from sync import log
from sync.models import Change
from tests.factories import make_staff

from .test_browser import eventually, in_db, phone, pytestmark, shot, sign_in, until  # noqa: F401

# one value kept in the app's IndexedDB key-value store (null when missing)
KV_GET = """key => new Promise((ok, fail) => {
  const r = indexedDB.open('fieldapp');
  r.onerror = () => fail(r.error);
  r.onsuccess = () => {
    const g = r.result.transaction('kv').objectStore('kv').get(key);
    g.onsuccess = () => { ok(g.result ?? null); r.result.close(); };
    g.onerror = () => fail(g.error);
  };
})"""


def kv(page, key):
    return page.evaluate(KV_GET, key)


def kept(page, url):
    """The answer the app keeps for offline use under the signed-in user, or None."""
    return kv(page, f"cache:{kv(page, 'session')['user']['id']}:{url}")


def refresh(page):
    """Today's refresh control: redraws and syncs; waits for the sync to finish."""
    page.evaluate("document.body.dataset.syncedAt = ''")
    page.click("#refresh")
    page.wait_for_selector("body:not([data-synced-at=''])")


@pytest.fixture
def colleague(day):
    """A second active agent at agent1's station (after `day` booked its appointments)."""

    def make():
        agent = day["agent"]
        staff = make_staff("agent3", Role.AGENT, centre=agent.centre, full_name="孙三")
        GridAssignment.objects.create(
            grid=Grid.objects.get(code="B"),
            staff=staff,
            kind="backup",
            valid_from=timezone.localdate() - timedelta(days=1),
        )
        return staff

    return make()


def test_positions_while_on_duty_are_sent(day, live_server, browser):
    lon, lat = day["home"]
    context, page = phone(
        browser, live_server, geolocation={"latitude": lat, "longitude": lon, "accuracy": 12}
    )
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    user = kv(page, "session")["user"]["id"]
    page.goto(f"{live_server.url}/app/#/me")
    page.check("#duty")
    # the phone's position is kept when the watch reports it, sent with the next sync; headless
    # Chromium does not always report the first fix to a new watch, so the worker "moves" a few
    # metres each second until one is kept (the emulated position is pushed to running watches)
    kept_positions = f"({KV_GET})('positions:{user}').then(p => (p || []).length > 0)"
    for step in range(20):
        if page.evaluate(kept_positions):
            break
        context.set_geolocation({"latitude": lat + step * 1e-6, "longitude": lon, "accuracy": 12})
        page.wait_for_timeout(1000)
    assert page.evaluate(kept_positions), "no position kept while on duty"
    page.goto(f"{live_server.url}/app/#/today")
    page.wait_for_selector("#refresh")
    refresh(page)
    until(page, f"({KV_GET})('positions:{user}').then(p => (p || []).length === 0)")
    assert page.errors == []
    context.close()

    def check():
        staff = Staff.objects.get(pk=day["agent"].pk)
        reports = list(PositionReport.objects.filter(staff=staff))
        return staff, reports

    staff, reports = in_db(check)
    assert len(reports) >= 1
    assert reports[0].location.x == pytest.approx(lon, abs=1e-6)
    assert reports[0].location.y == pytest.approx(lat, abs=3e-5)  # within the few steps above
    assert reports[0].accuracy_m == 12
    # the staff's last known position: the phone's, not the fixture's (0, 0)
    assert staff.last_position.x == pytest.approx(lon, abs=1e-6)
    assert staff.last_position.y == pytest.approx(lat, abs=3e-5)
    assert staff.last_position_at == max(r.recorded_at for r in reports)


def test_a_tombstone_drops_what_left_and_a_410_reloads_from_scratch(
    day, colleague, live_server, browser
):
    a = day["to_confirm"]
    url = f"/api/v1/appointments/{a.pk}/"
    key = f"appointment_to_confirm:{a.pk}"
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    page.wait_for_selector(f"li.task[data-key='{key}']")
    page.wait_for_selector("body:not([data-synced-at=''])")  # the first sync: a cursor kept
    user = kv(page, "session")["user"]["id"]
    until(page, f"({KV_GET})('cache:{user}:{url}')")  # kept for offline use
    first = kv(page, f"cursor:{user}")
    assert first

    # the station manager gives it to the colleague: it leaves agent1's view
    in_db(
        lambda: appointment_actions.appointment_act(
            actor=day["manager"],
            appointment_id=a.pk,
            action="reassign",
            payload={"to": colleague.pk},
        )
    )
    refresh(page)
    page.wait_for_selector(f"li.task[data-key='{key}']", state="detached")
    until(page, f"({KV_GET})('cache:{user}:{url}').then(v => v === null)")  # the tombstone
    second = kv(page, f"cursor:{user}")
    assert second and second != first

    # the change log is purged past agent1's cursor: 410, a fresh start, the day still there
    version = in_db(lambda: Case.objects.get(pk=day["case"].pk).version)

    def purge():
        case_services.case_edit(
            actor=day["manager"],
            case_id=day["case"].pk,
            if_match=f'"{version}"',
            changes={"description": "站长：周三上午上门"},
        )
        Change.objects.update(at=timezone.now() - timedelta(days=400))
        assert log.purge() > 0

    in_db(purge)
    answers = []
    page.on("response", lambda r: "/api/v1/sync/" in r.url and answers.append(r.status))
    refresh(page)
    assert 410 in answers
    third = kv(page, f"cursor:{user}")
    assert third and third != second  # a fresh cursor at once, not a minute later
    page.wait_for_selector(f"li.task[data-key='visit:{day['visit'].pk}']")
    page.wait_for_selector(f"li.task[data-key='case:{day['case'].pk}']")
    assert page.locator(f"li.task[data-key='{key}']").count() == 0
    refresh(page)  # and from that cursor, no 410 again
    assert answers[-1] == 200
    shot(page, "resync")
    assert page.errors == []
    context.close()


def test_an_appointment_is_handed_over_to_a_colleague(day, colleague, live_server, browser):
    a = day["to_confirm"]
    key = f"appointment_to_confirm:{a.pk}"
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    page.click(f"li.task[data-key='{key}'] a")
    page.click("details.action summary >> text=转交同事")
    page.select_option("form.action[data-action=hand_over] select", str(colleague.pk))
    shot(page, "hand-over")
    page.click("form.action[data-action=hand_over] button[type=submit]")
    page.wait_for_selector("body[data-pending='0']")
    page.wait_for_selector("#refresh")
    assert page.evaluate("location.hash") == "#/today"
    page.wait_for_selector(f"li.task[data-key='{key}']", state="detached")
    assert page.errors == []
    context.close()
    handed = eventually(lambda: Appointment.objects.filter(pk=a.pk, agent=colleague).first())
    assert handed.status == "awaiting_confirmation"


def test_the_unread_count_follows_the_feed_without_a_list_request_per_sync(
    day, live_server, browser
):
    """The tab's unread count is read once per page, then again only when /sync/ reports a
    notification that came, was read or went: a sync with nothing of the kind sends no
    GET /me/notifications/ (one request less per sync from every phone)."""
    from notifications.services import notify

    context, page = phone(browser, live_server)
    asked = []
    page.on(
        "request",
        lambda r: asked.append(r.url) if r.url.endswith("/api/v1/me/notifications/") else None,
    )
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    page.wait_for_selector("body:not([data-synced-at=''])")
    tab = "#tabs a[href='#/notifications']"
    label = page.get_attribute(tab, "aria-label")
    assert label == "通知（2）"  # the day's two, counted on the first sync
    counted = len(asked)
    assert counted >= 1

    refresh(page)  # nothing new for agent1: the count stays and is not asked for again
    assert len(asked) == counted
    assert page.get_attribute(tab, "aria-label") == label

    user = day["agent"].user
    in_db(lambda: notify(user=user, kind="test", title="新通知"))
    refresh(page)  # the feed brings the notification: counted again
    until(page, f"document.querySelector(\"{tab}\").getAttribute('aria-label') === '通知（3）'")
    assert len(asked) == counted + 1
    assert page.errors == []
    context.close()
