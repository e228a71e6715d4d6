"""The zone console (edit mode on /map/) in headless Chromium at a desktop viewport, as the
district user and as a station manager of the test world (tests/worlds/people.py: C1 一社区 has
grids A [0–500 m] and B [500–1000 m], C2 二村 has C [1000–2000 m]; manager1 runs C1's station).

Every edit goes through the API the console calls, and the database is read afterwards
(`eventually`, in a thread of its own). Screenshots: var/test-artifacts/console/.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from geo import services as geo_services
from geo.models import Grid
from people.models import GridAssignment, Role
from tests.browser import eventually, in_db, shot, until
from tests.factories import make_staff
from tests.geo.helpers import rect

from .pages import at, signed_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


# --- helpers -------------------------------------------------------------------------------


def open_console(browser, live_server, username: str):
    """A page logged in as `username` with edit mode on and the grids in view loaded."""
    page = signed_in(browser, live_server, username)
    page.click("#edit-toggle")
    until(page, "Number(document.getElementById('map').dataset.consoleGrids || 0) > 0")
    return page


def wait(page, expression, seconds=15):
    """`until`, saying what the console said when it does not come true."""
    try:
        until(page, expression, seconds)
    except AssertionError as exc:
        said = page.inner_text("#console-status") if page.locator("#console-status").count() else ""
        raise AssertionError(f"{exc}; the console says: {said!r}; errors: {page.errors}") from None


def click_at(page, x, y):
    page.mouse.click(*at(page, x, y))


def drag(page, start, end):
    """Drag a Geoman vertex marker from one point (metres) to another, in steps."""
    page.mouse.move(*at(page, *start))
    page.mouse.down()
    page.mouse.move(*at(page, *end), steps=8)
    page.mouse.up()


def select_grid(page, code):
    page.select_option("#grid-select", code)
    until(page, f"document.getElementById('map').dataset.consoleSelected === {code!r}")


def status(page) -> str:
    return page.inner_text("#console-status")


def saves(page) -> int:
    return int(page.get_attribute("#map", "data-console-saves") or 0)


def boundary_version(code):
    return in_db(lambda: Grid.objects.get(code=code).boundaries.count())


# --- tests ---------------------------------------------------------------------------------


def test_the_district_user_fills_a_coverage_gap_and_the_gap_goes(world, live_server, browser):
    from tiles.gaps import gaps_refresh

    c2 = world["tree"]["c2"]
    # C covers only the west half of 二村: the east half is a gap, as the minute schedule sees it
    in_db(
        lambda: geo_services.grid_update(
            grid=world["grids"]["C"], boundary=rect(1000, 0, 1500, 1000)
        )
    )
    in_db(lambda: gaps_refresh(quiet_seconds=0))

    page = open_console(browser, live_server, "district")
    gaps_drawn = "gridMapLayers.gaps.getContainer().querySelectorAll('path').length"
    wait(page, f"{gaps_drawn} > 0")
    page.click("#tool-fill")
    click_at(page, 1750, 500)  # on the pink gap
    wait(page, "document.getElementById('map').dataset.consoleFilling !== undefined")
    page.fill("#grid-name", "东片")
    page.wait_for_selector(f"#grid-community option[value='{c2.code}']", state="attached")
    assert page.input_value("#grid-community") == c2.code
    shot(page, "console", "gap-fill-form")
    page.click("#console-save")
    wait(page, "Number(document.getElementById('map').dataset.consoleSaves || 0) >= 1")
    assert "已新建网格 东片" in status(page)
    made = eventually(lambda: Grid.objects.filter(name="东片", community=c2).first())
    assert made.retired_at is None

    # the schedule recomputes 二村's gaps; the console's next tile refresh no longer draws one
    in_db(lambda: gaps_refresh(quiet_seconds=0))
    page.evaluate("ZoneConsole.refreshTiles()")
    wait(page, f"{gaps_drawn} === 0")
    shot(page, "console", "gap-filled")
    assert page.errors == []


def test_two_editors_one_grid_the_second_sees_412_and_the_current_version(
    world, live_server, browser
):
    first = open_console(browser, live_server, "district")
    second = open_console(browser, live_server, "manager1")
    for page in (first, second):
        select_grid(page, "A")
        page.click("#tool-edit")
        page.wait_for_selector(".marker-icon")
    drag(first, (0, 0), (60, 60))
    first.click("#console-save")
    wait(first, "Number(document.getElementById('map').dataset.consoleSaves || 0) >= 1")
    assert boundary_version("A") == 2

    drag(second, (0, 1000), (60, 940))
    second.click("#console-save")
    wait(second, "document.getElementById('map').dataset.consoleRefused === 'stale_version'")
    text = status(second)
    assert "已被他人修改" in text and "未保存" in text
    assert second.locator("#console-restart").count() == 1
    shot(second, "console", "two-editors-412")
    assert boundary_version("A") == 2
    # starting again from the current version saves
    second.click("#console-restart")
    second.wait_for_selector(".marker-icon")
    drag(second, (0, 1000), (60, 940))
    second.click("#console-save")
    wait(second, "Number(document.getElementById('map').dataset.consoleSaves || 0) >= 1")
    assert boundary_version("A") == 3
    assert first.errors == [] and second.errors == []


def test_staffing_assign_a_backup_then_end_it(world, live_server, browser):
    c1 = world["tree"]["c1"]
    agent3 = in_db(lambda: make_staff("agent3", Role.AGENT, centre=c1.centre, full_name="孙三"))
    page = open_console(browser, live_server, "manager1")
    # B has a backup and no primary: marked in the list and in the station's panel
    wait(page, "document.getElementById('grid-select').textContent.includes('B（B） · 无主责')")
    click_at(page, 250, 500)  # grid A on the map
    wait(page, "document.getElementById('map').dataset.consoleSelected === 'A'")
    page.wait_for_selector("#console-staffing table.staffing")
    staffing = page.inner_text("#console-staffing")
    assert "张一" in staffing and "主责" in staffing and "没有主责代办员的网格：B" in staffing
    tiles_before = int(page.get_attribute("#map", "data-tiles-refreshed") or 0)

    page.select_option("#assign-agent", str(agent3.pk))
    page.select_option("#assign-kind", "backup")
    page.click("#assign-submit")
    page.wait_for_selector("#console-staffing table.staffing tr:has-text('孙三')")
    added = eventually(
        lambda: GridAssignment.objects.filter(grid__code="A", staff__full_name="孙三").first()
    )
    assert added.kind == "backup" and added.valid_to is None
    assert int(page.get_attribute("#map", "data-tiles-refreshed")) > tiles_before
    shot(page, "console", "staffing-assigned")

    # 张一's primary assignment on A ends today: A is left without a primary, and says so
    page.click("button[aria-label='结束 张一 的主责指派']")
    page.click("#console-staffing button.danger")
    page.wait_for_selector("#console-staffing table.staffing tr:has-text('张一')", state="detached")
    primary = world["people"]["agent1"]
    ended = eventually(
        lambda: GridAssignment.objects.filter(
            grid__code="A", staff=primary, kind="primary", valid_to__isnull=False
        ).first()
    )
    assert ended.valid_to == timezone.localdate()
    assert "已结束 张一 的指派" in status(page)
    page.wait_for_selector("#console-staffing .no-primary")
    wait(page, "document.getElementById('grid-select').textContent.includes('A（A） · 无主责')")
    shot(page, "console", "staffing-ended")
    assert page.errors == []


def test_an_overlap_is_refused_in_place_then_the_grid_is_split_along_a_line(
    world, live_server, browser
):
    page = open_console(browser, live_server, "district")
    select_grid(page, "A")
    page.click("#tool-edit")
    page.wait_for_selector(".marker-icon")
    drag(page, (500, 1000), (700, 800))  # A's north-east corner, deep into B
    page.click("#console-save")
    wait(page, "document.getElementById('map').dataset.consoleRefused === 'grid_overlaps'")
    assert page.locator("path.refusal-overlap").count() >= 1
    assert "未保存" in status(page) and "重叠" in page.inner_text(".leaflet-tooltip-pane")
    shot(page, "console", "overlap-refused")
    # nothing saved, and the drawing stays to be fixed
    assert boundary_version("A") == 1
    assert page.locator(".marker-icon").count() >= 4
    page.click("#console-cancel")

    # split along a line; 张一 (primary) is carried into the first piece
    page.click("#tool-split")
    click_at(page, 250, -150)
    click_at(page, 250, 1150)
    click_at(page, 250, 1150)  # the last point again finishes the line
    page.wait_for_selector("#split-name-1")
    page.fill("#split-name-0", "A 西")
    page.fill("#split-name-1", "A 东")
    assert page.input_value("#carry-0") == "0"
    shot(page, "console", "split-preview")
    page.click("#console-save")
    wait(page, "document.getElementById('map').dataset.consoleSplit !== undefined")
    made = page.get_attribute("#map", "data-console-split").split(",")
    assert len(made) == 2

    def state():
        old = Grid.objects.get(code="A")
        new = list(Grid.objects.filter(code__in=made).order_by("name"))
        carried = GridAssignment.objects.filter(grid__code__in=made, kind="primary")
        lineage = [list(g.predecessors.values_list("code", flat=True)) for g in new]
        return old, new, [(a.grid.name, a.staff.full_name) for a in carried], lineage

    old, new, carried, lineage = in_db(state)
    assert old.retired_at is not None and lineage == [["A"], ["A"]]
    assert sorted(g.name for g in new) == ["A 东", "A 西"]
    assert len(carried) == 1 and carried[0][1] == "张一"
    assert "已把 A 拆分为" in status(page)
    assert page.errors == []


def test_a_station_managers_shared_edge_becomes_a_proposal_the_district_applies(
    world, live_server, browser
):
    manager = open_console(browser, live_server, "manager1")
    select_grid(manager, "B")
    manager.click("#tool-edit")
    manager.wait_for_selector(".marker-icon")
    drag(manager, (1000, 0), (900, 0))  # B's edge shared with 二村's grid C moves
    manager.click("#console-save")
    wait(manager, "document.getElementById('map').dataset.consoleProposed !== undefined")
    assert "变更申请" in status(manager)
    assert boundary_version("B") == 1  # not applied

    district = open_console(browser, live_server, "district")
    wait(district, "Number(document.getElementById('map').dataset.consoleProposals || 0) >= 1")
    district.click("#console-proposals button")
    district.wait_for_selector("#console-save")
    shot(district, "console", "proposal-before-after")
    district.click("#console-save")
    wait(district, "Number(document.getElementById('map').dataset.consoleSaves || 0) >= 1")
    assert "已批准并应用" in status(district)
    assert boundary_version("B") == 2
    assert manager.errors == [] and district.errors == []
