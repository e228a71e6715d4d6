"""The field app's other actions in a real browser (the same phone, server and fixtures as
test_browser.py): an appointment declined with a reason leaves the worker's day (the server
answers 200 `visible: false`: it went to someone else), a visit checked out with its record,
a case returned with a photo of the resident's signature, a case opened from a confirmed
appointment and a walk-in case."""

from __future__ import annotations

from appointments.models import Appointment, AppointmentEvent
from cases.models import Case, Status
from visits.models import Visit

from .test_browser import a_photo, eventually, in_db, phone, pytestmark, shot, sign_in  # noqa: F401


def test_a_decline_with_a_reason_leaves_the_day_and_a_visit_is_checked_out(
    day, live_server, browser
):
    lon, lat = day["home"]
    context, page = phone(
        browser, live_server, geolocation={"latitude": lat, "longitude": lon, "accuracy": 12}
    )
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    key = f"appointment_to_confirm:{day['to_confirm'].pk}"
    page.wait_for_selector(f"li.task[data-key='{key}']")

    # declined with a reason: sent, answered `visible: false`, gone from today
    page.click(f"li.task[data-key='{key}'] a")
    page.click("details.action summary >> text=拒绝接单")
    page.fill("form.action[data-action=decline] textarea", "本周在外培训")
    shot(page, "decline")
    page.click("form.action[data-action=decline] button[type=submit]")
    page.wait_for_selector("body[data-pending='0']")
    page.wait_for_selector("#refresh")
    assert page.evaluate("location.hash") == "#/today"
    page.wait_for_selector(f"li.task[data-key='{key}']", state="detached")
    page.wait_for_selector(f"li.task[data-key='visit:{day['visit'].pk}']")

    # the visit: checked in, then out with what was done
    page.click(f"li.task[data-key='visit:{day['visit'].pk}'] a")
    page.click("#check-in")
    page.wait_for_selector("body[data-pending='0']")
    page.wait_for_selector("#check-out")
    page.fill("textarea[name=papers_collected]", "户口簿复印件\n身份证复印件")
    page.fill("textarea[name=notes]", "老人行动不便，下周送回结果")
    shot(page, "check-out")
    page.click("#check-out")
    page.wait_for_selector("section.record >> text=身份证复印件")
    assert page.locator("#check-out").count() == 0
    shot(page, "visit-done")
    assert page.errors == []
    context.close()

    def check():
        a = Appointment.objects.get(pk=day["to_confirm"].pk)
        declined = AppointmentEvent.objects.filter(appointment=a, action="decline")
        v = Visit.objects.get(pk=day["visit"].pk)
        return a.agent_id, [e.note for e in declined], v.status, v.record

    agent, notes, status, record = in_db(check)
    assert agent != day["agent"].pk and notes == ["本周在外培训"]
    assert status == "done"
    assert record["papers_collected"] == ["户口簿复印件", "身份证复印件"]
    assert record["notes"] == "老人行动不便，下周送回结果"


def test_a_case_is_returned_with_a_photo_of_the_signature(
    day, live_server, browser, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = day["late"]
    in_db(lambda: Case.objects.filter(pk=case.pk).update(status=Status.COLLECTED))
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    page.goto(f"{live_server.url}/app/#/case/{case.pk}")
    page.click("details.action summary >> text=送还群众")
    # neither the code nor a signature: said so, nothing queued
    page.click("form.action[data-action=return] button[type=submit]")
    page.wait_for_selector("form.action[data-action=return] >> text=请填写取件码或拍摄签名")
    assert page.get_attribute("body", "data-pending") == "0"
    with page.expect_file_chooser() as chooser:
        page.click("label[for=signature]")
    chooser.value.set_files(str(a_photo(tmp_path)))
    page.wait_for_selector("text=签名照片已选好")
    shot(page, "return-signature")
    page.click("form.action[data-action=return] button[type=submit]")
    page.wait_for_selector("body[data-pending='0']")
    page.wait_for_selector("text=已送还")
    assert page.errors == []
    context.close()

    def check():
        c = Case.objects.get(pk=case.pk)
        return c.status, c.events.filter(action="return").last().data

    status, data = in_db(check)
    assert (status, data["confirmed_by"]) == ("returned", "signature")
    signature = tmp_path / data["signature"]
    assert signature.read_bytes().startswith(b"\xff\xd8\xff")  # a JPEG made on the phone
    assert signature.stat().st_size < 400_000  # 3000×2000 → 1600×1067


def test_a_case_opened_from_a_confirmed_appointment_and_a_walk_in(day, live_server, browser):
    appointment = day["visit"].appointment_id  # confirmed, a visit planned
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")

    # from the confirmed appointment: sent, and the worker goes on to the new case
    page.goto(f"{live_server.url}/app/#/appointment/{appointment}")
    page.get_by_role("button", name="开始办件").click()
    page.wait_for_selector("body[data-pending='0']")
    page.wait_for_url("**/app/#/case/*")
    page.wait_for_selector("form.action[data-action=review], details.action")
    opened = in_db(lambda: Case.objects.get(appointment=appointment))
    assert page.evaluate("location.hash") == f"#/case/{opened.pk}"
    assert opened.responsible_id == day["agent"].pk
    assert "咨询预审" in page.inner_text("section.card")
    shot(page, "case-from-appointment")

    # a walk-in at the desk: the form, then the new case on today's list
    page.goto(f"{live_server.url}/app/#/today")
    page.get_by_role("link", name="登记窗口来访办件").click()
    page.wait_for_selector("select[name=service_item]")
    page.select_option("select[name=service_item]", "MZ-002")
    page.fill("input[name=applicant_name]", "赵六")
    page.fill("input[name=applicant_phone]", "13812345678")
    page.fill("input[name=address]", "二社区 5 号楼")
    shot(page, "walk-in")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector("body[data-pending='0']")
    walk_in = eventually(lambda: Case.objects.filter(applicant_name="赵六").first())
    page.wait_for_selector(f"li.task[data-key='case:{walk_in.pk}']")
    assert page.errors == []
    context.close()
    assert in_db(lambda: Case.objects.filter(applicant_name="赵六").count()) == 1
    assert in_db(lambda: Case.objects.filter(appointment=appointment).count()) == 1
    assert (walk_in.origin, walk_in.responsible_id) == ("station_desk", day["agent"].pk)


def test_today_on_a_map_without_a_basemap(day, live_server, browser):
    context, page = phone(browser, live_server)
    page.goto(f"{live_server.url}/app/")
    sign_in(page, "agent1")
    page.wait_for_selector("li.task")
    tasks = page.locator("li.task").count()
    page.get_by_role("button", name="地图").click()
    page.wait_for_selector("#today-map[data-dots]")
    # a dot per task with a place, the worker's own position, the suggested order as a line
    dots = int(page.get_attribute("#today-map", "data-dots"))
    unplaced = int(page.get_attribute("#today-map", "data-unplaced"))
    assert dots >= 3 and dots + unplaced == tasks  # walk-ins may have no point: said below
    assert f"另有 {unplaced} 项没有位置" in page.inner_text("#unplaced")
    # one dot per place: the visit and its appointment share one
    assert page.locator("#today-map path.task-dot").count() == dots - 1
    assert page.locator("#today-map path.origin-dot").count() == 1
    assert page.locator("#today-map path.route").count() == 1  # under the dots: taps reach them
    assert page.locator("#today-map img.leaflet-tile").count() == 0  # no basemap configured
    visit = day["visit"].pk
    page.click(f"#today-map path.task-dot[data-keys~='visit:{visit}']")  # named, with links
    assert page.locator(".leaflet-popup li").count() == 2
    page.click(f".leaflet-popup a[href='#/visit/{visit}']")
    page.wait_for_url(f"**/app/#/visit/{visit}")
    # the choice is kept: back on today, the map again; the list one tap away
    page.goto(f"{live_server.url}/app/#/today")
    page.wait_for_selector("#today-map[data-dots]")
    shot(page, "today-map")
    page.get_by_role("button", name="列表").click()
    page.wait_for_selector("li.task")
    assert page.errors == []
    context.close()
