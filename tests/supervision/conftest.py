"""A constructed October 2026 with known answers for every figure at every level.

The people world (tests/world.py: district → street → 一社区 c1 with grids A, B and 二村 c2 with
grid C; agent1 primary on A and backup on B, agent2 primary on C) plus the cases world (an item
with a 5-working-day proxy limit, its approval window), agent3 (c1, backup on A) and agent4
(c2, nothing at all).

How it is built: appointments, routing, answers and cases through their services, each at a
pinned moment (`clock` pins django.utils.timezone.now, so auto-stamped times — created_at,
event and decision times — are the moments below); visits and trainings through the ORM (the
visits services are being written; trainings have none); complaints through the feedback
service, their received time then set by the ORM (its default is bound at import and cannot be
pinned); inspections through supervision.services.

Calendar: Mid-Autumn 25–27 Sep and National Day 1–7 Oct are holidays; Saturday 10 Oct 2026 is
an adjusted working day (调休). "Today" for overdue cases is Tuesday 3 November 2026.

Appointments created in October (P6 on 30 Sep and P7 on 2 Nov fall outside):
  P1 12 Oct 09:00 web, grid A, window 14:00–16:00 → agent1 (grid_member), confirmed 09:30;
     visit checked in 14 Oct 13:00 — 52 h after booking, 47 h after the window opened: in time
  P2 13 Oct 10:00 web, grid B → agent1 (backup, grid_member), declined 10:20 → agent3
     (community_member), confirmed 11:10; visit 16 Oct 10:00 (72 h): late
  P3 14 Oct 15:00 app, grid C, first inquiry by agent2 → case K5; visit to K5 16 Oct 14:00
     (47 h): in time
  P4 20 Oct 09:00 web, grid C → agent2, declined 09:46 → station queue (nobody else)
  P5 21 Oct 10:00 desk, grid A, first inquiry by agent1 (at the desk: no visit due)
  P8 22 Oct 09:00 web, grid A → agent1, never answered, cancelled by the station manager

Cases (5 working days each):
  K1 c1 agent1 grid A  accepted Thu 24 Sep, due 9 Oct, returned Fri 9 Oct (5 wd), closed ★5
  K2 c1 agent1 grid B  accepted Fri 9 Oct, due 15 Oct, returned Sat 10 Oct — the adjusted
                       working Saturday: 1 working day, on time — closed ★4
  K3 c1 agent1 grid A  accepted Mon 12 Oct, due 19 Oct, returned Tue 20 Oct (6 wd, late) ★2
  K4 c1 agent1 no grid accepted Wed 14 Oct, due 21 Oct, forwarded: overdue on 3 Nov
  K5 c2 agent2 grid C  (from P3) accepted Thu 15 Oct, due 22 Oct, returned 22 Oct (5 wd)
  K6 c2 agent2 grid C  accepted Fri 30 Oct, due 6 Nov, running
  K7 street centre, street staff, accepted Mon 19 Oct, due 26 Oct, returned Fri 23 Oct (4 wd) ★5
  K8 c2 agent2 grid C  accepted Mon 2 Nov (outside), running
  K9 c1 agent1 declined at pre-review (never accepted)

Complaints: F1 about agent1 (15 Oct); F2 about case K3 (22 Oct); F3 about agent2 and K5
(25 Oct); F4 about agent1 (3 Nov, outside); F5 about the street staff member (16 Oct).
Trainings: agent1 10 and 20 Oct, agent2 20 Oct; outside or not an agent's: agent1 5 Nov,
agent3 30 Sep, manager1 20 Oct.
Inspections: c1 20 Sep (70) and 15 Oct (85); street centre 20 Oct (90); c2 2 Nov (60, after).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

from appointments import actions as appointment_actions
from appointments import intake as appointment_intake
from appointments.models import Appointment
from cases import services as case_services
from feedback import services as feedback_services
from feedback.models import Complaint
from people.models import GridAssignment, Role, Training
from supervision import checklist
from supervision import services as supervision_services
from supervision.periods import Period
from tests.factories import make_staff
from tests.geo.helpers import point
from tests.worlds.cases import ALL_PROVIDED, act, open_walk_in
from tests.worlds.stack import world_fixture
from visits.models import Visit

SH = ZoneInfo("Asia/Shanghai")
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31), "2026-10")
TODAY = date(2026, 11, 3)

# where things are (metres east/north of the test district's origin)
IN_A, IN_A2, IN_B, IN_C, IN_C2 = (100, 100), (200, 200), (700, 100), (1500, 500), (1600, 600)


def at(day: int, month: int = 10, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@contextmanager
def clock(moment: datetime):
    """Pin django.utils.timezone.now: auto-stamped fields take this moment."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def book(actor, xy, when: datetime, *, channel="web", window=None) -> Appointment:
    start, end = window if window else (None, None)
    intake = appointment_intake.Intake(
        service_item="MZ-002",
        applicant_name="张三",
        applicant_phone="13800001234",
        location=point(*xy),
        address="测试地址",
        channel=channel,
        preferred_start=start,
        preferred_end=end,
    )
    with clock(when):
        return appointment_intake.appointment_create(
            actor=actor.user if actor else None, intake=intake, now=when
        )


def answer(staff, appointment, action: str, when: datetime, **payload) -> Appointment:
    with clock(when):
        return appointment_actions.appointment_act(
            actor=staff.user,
            appointment_id=appointment.pk,
            action=action,
            payload=payload,
            now=when,
        )


def accept(staff, when: datetime, *, xy=None, appointment=None):
    """A case accepted at `when` (opened the same moment), walk-in or from an appointment."""
    with clock(when):
        if appointment is not None:
            case = case_services.case_open(
                actor=staff.user,
                opening=case_services.Opening(appointment=appointment.pk),
                now=when,
            )
        else:
            case = open_walk_in(staff, location=point(*xy) if xy else None)
        return act(staff, case, "accept", now=when, checklist=ALL_PROVIDED)


def complete(
    people, staff, case, returned: datetime, *, closed: datetime | None = None, rating=None
):
    """Forward, the window's steps, collect and return at `returned`; close with a rating."""
    window = people["window"]
    with clock(returned):
        case = act(staff, case, "forward", now=returned)
        case = act(window, case, "receive", now=returned)
        case = act(window, case, "result_ready", now=returned)
        case = act(staff, case, "collect", now=returned)
        case = act(staff, case, "return", now=returned, return_code=case.return_code)
    if closed is not None:
        with clock(closed):
            case = act(staff, case, "close", now=closed, rating=rating)
    return case


def complaint(when: datetime, *, staff=None, case=None) -> Complaint:
    made = feedback_services.complaint_create(
        actor=None,
        staff_id=staff.pk if staff else None,
        case_code=case.tracking_code if case else "",
        complainant_name="陈投诉",
        complainant_phone="13912345678",
        text="办事拖拉。",
    )
    Complaint.objects.filter(pk=made.pk).update(created_at=when)
    return made


def item_scores(total: int) -> dict:
    """Checklist scores adding up to `total`: full marks, less points from the last items."""
    short = checklist.MAX_TOTAL - total
    scores = {}
    for item in reversed(checklist.ITEMS):
        taken = min(short, item.max_score)
        scores[item.key] = {"score": item.max_score - taken, "note": "扣分" if taken else ""}
        short -= taken
    return scores


def inspect(actor, area, day: date, total: int):
    return supervision_services.inspection_record(
        actor=actor.user,
        centre_code=area.code,
        day=day,
        items=item_scores(total),
        findings="公开栏未及时更新。" if total < 100 else "",
        today=TODAY,
    )


@world_fixture
def sup_world(case_world):
    p, tree, grids = case_world["people"], case_world["tree"], case_world["grids"]
    p["agent3"] = make_staff("agent3", Role.AGENT, centre=tree["c1"].centre, full_name="孙三")
    GridAssignment.objects.create(
        grid=grids["A"], staff=p["agent3"], kind="backup", valid_from=date(2026, 1, 1)
    )
    p["agent4"] = make_staff("agent4", Role.AGENT, centre=tree["c2"].centre, full_name="周四")
    return case_world


@world_fixture
def dataset(sup_world):
    p, tree = sup_world["people"], sup_world["tree"]
    agent1, agent2, agent3, street = p["agent1"], p["agent2"], p["agent3"], p["street"]

    # --- appointments -------------------------------------------------------------------
    P = {}
    P[6] = book(None, IN_A, at(30, 9, 10), window=(at(30, 9, 14), at(30, 9, 16)))
    P[1] = book(None, IN_A, at(12, 10, 9), window=(at(12, 10, 14), at(12, 10, 16)))
    answer(agent1, P[1], "confirm", at(12, 10, 9, 30))
    P[2] = book(None, IN_B, at(13, 10, 10), window=(at(13, 10, 14), at(13, 10, 16)))
    answer(agent1, P[2], "decline", at(13, 10, 10, 20), reason="外出培训")
    answer(agent3, P[2], "confirm", at(13, 10, 11, 10))
    P[3] = book(agent2, IN_C, at(14, 10, 15), channel="app")
    P[4] = book(None, IN_C2, at(20, 10, 9), window=(at(20, 10, 14), at(20, 10, 16)))
    answer(agent2, P[4], "decline", at(20, 10, 9, 46), reason="请假")
    P[5] = book(agent1, IN_A2, at(21, 10, 10), channel="desk")
    P[8] = book(None, IN_A, at(22, 10, 9), window=(at(22, 10, 14), at(22, 10, 16)))
    answer(p["manager1"], P[8], "cancel", at(22, 10, 12), reason="居民已自行办理")
    P[7] = book(None, IN_A, at(2, 11, 10), window=(at(2, 11, 14), at(2, 11, 16)))
    for appointment in P.values():
        appointment.refresh_from_db()

    # --- cases ------------------------------------------------------------------------------
    K = {}
    K[1] = accept(agent1, at(24, 9), xy=IN_A)
    K[1] = complete(p, agent1, K[1], at(9, 10, 16), closed=at(9, 10, 17), rating=5)
    K[2] = accept(agent1, at(9, 10), xy=IN_B)
    K[2] = complete(p, agent1, K[2], at(10, 10, 15), closed=at(10, 10, 16), rating=4)
    K[3] = accept(agent1, at(12, 10), xy=IN_A2)
    K[3] = complete(p, agent1, K[3], at(20, 10), closed=at(21, 10), rating=2)
    K[4] = accept(agent1, at(14, 10))
    with clock(at(15, 10)):
        K[4] = act(agent1, K[4], "forward", now=at(15, 10))
    K[5] = accept(agent2, at(15, 10), appointment=P[3])
    K[5] = complete(p, agent2, K[5], at(22, 10, 15))
    K[6] = accept(agent2, at(30, 10), xy=IN_C)
    K[7] = accept(street, at(19, 10))
    K[7] = complete(p, street, K[7], at(23, 10), closed=at(23, 10, 11), rating=5)
    K[8] = accept(agent2, at(2, 11), xy=IN_C)
    with clock(at(16, 10)):
        K[9] = act(agent1, open_walk_in(agent1), "decline", now=at(16, 10), reason="不属于代办范围")

    # --- visits -----------------------------------------------------------------------------
    Visit.objects.create(
        appointment=P[1],
        agent=agent1,
        created_by=agent1.user,
        status="done",
        checked_in_at=at(14, 10, 13),
    )
    Visit.objects.create(
        appointment=P[2],
        agent=agent3,
        created_by=agent3.user,
        status="done",
        checked_in_at=at(16, 10, 10),
    )
    Visit.objects.create(
        case=K[5],
        agent=agent2,
        created_by=agent2.user,
        status="done",
        checked_in_at=at(16, 10, 14),
    )

    # --- complaints, trainings, inspections ------------------------------------------------
    complaint(at(15, 10), staff=agent1)
    complaint(at(22, 10), case=K[3])
    complaint(at(25, 10), staff=agent2, case=K[5])
    complaint(at(3, 11), staff=agent1)
    complaint(at(16, 10), staff=street)
    for staff, day in [
        (agent1, date(2026, 10, 10)),
        (agent1, date(2026, 10, 20)),
        (agent2, date(2026, 10, 20)),
        (agent1, date(2026, 11, 5)),
        (agent3, date(2026, 9, 30)),
        (p["manager1"], date(2026, 10, 20)),
    ]:
        Training.objects.create(staff=staff, date=day, topic="代办业务培训", trainer="区中心")
    supervisor = p["supervisor"]
    inspect(supervisor, tree["c1"], date(2026, 9, 20), 70)
    inspect(supervisor, tree["c1"], date(2026, 10, 15), 85)
    inspect(supervisor, tree["street"], date(2026, 10, 20), 90)
    inspect(supervisor, tree["c2"], date(2026, 11, 2), 60)

    sup_world["appointments"], sup_world["cases"] = P, K
    return sup_world
