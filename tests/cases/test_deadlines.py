"""Deadlines in working days, the light, and the warning/escalation steps sent exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date, datetime

import pytest
from django.db import connection

from cases.deadlines import light_sql
from cases.escalation import check_deadlines
from cases.models import Case, DeadlineAlert, Status
from notifications.models import Notification
from people.models import Role
from tests.cases.conftest import SH, accepted_case
from tests.conftest import ROOT
from tests.factories import make_staff


def _light(case, day: date) -> str | None:
    return Case.objects.annotate(light=light_sql(day)).get(pk=case.pk).light


@pytest.mark.django_db
def test_the_light_counts_working_days_across_the_holidays(case_world):
    case = accepted_case(case_world)  # Thu 24 Sep, 5 working days → due Fri 9 Oct
    assert case.due_date == date(2026, 10, 9)
    assert _light(case, date(2026, 9, 24)) == "green"
    assert _light(case, date(2026, 9, 30)) == "green"  # 3 of 5 working days (60 %)
    assert _light(case, date(2026, 10, 7)) == "green"  # the holiday week adds nothing
    assert _light(case, date(2026, 10, 8)) == "yellow"  # 4 of 5: 80 %
    assert _light(case, date(2026, 10, 9)) == "yellow"  # due today, not late
    assert _light(case, date(2026, 10, 10)) == "red"  # the adjusted working Saturday: overdue
    Case.objects.filter(pk=case.pk).update(status=Status.RETURNED)
    assert _light(case, date(2026, 10, 10)) is None  # back with the applicant: no light


def _at(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=SH)


@pytest.mark.django_db
def test_warning_then_escalation_agent_manager_lead_each_once(case_world):
    p = case_world["people"]
    case = accepted_case(case_world)
    kinds = lambda: set(DeadlineAlert.objects.filter(case=case).values_list("kind", flat=True))  # noqa: E731
    assert check_deadlines(now=_at(30, 9))["warning"] == 0
    assert check_deadlines(now=_at(8))["warning"] == 1
    assert check_deadlines(now=_at(8))["warning"] == 0  # the second run sends nothing
    assert kinds() == {"warning"}
    # Saturday 10 Oct is an adjusted working day: the first late working day, the agent's
    sent = check_deadlines(now=_at(10))
    assert sent == {"warning": 0, "overdue_agent": 1, "overdue_manager": 0, "overdue_lead": 0}
    assert check_deadlines(now=_at(11)) == dict.fromkeys(sent, 0)  # Sunday: nothing new
    assert check_deadlines(now=_at(12))["overdue_manager"] == 1  # still late a working day on
    assert check_deadlines(now=_at(13))["overdue_lead"] == 1  # and another
    assert check_deadlines(now=_at(20)) == dict.fromkeys(sent, 0)
    mine = Notification.objects.filter(recipient=p["agent1"].user)
    assert sorted(mine.values_list("kind", flat=True)) == ["case_overdue_agent", "case_warning"]
    assert Notification.objects.get(recipient=p["manager1"].user).kind == "case_overdue_manager"
    assert Notification.objects.get(recipient=p["lead"].user).kind == "case_overdue_lead"
    assert not Notification.objects.filter(recipient=p["street"].user).exists()
    assert [e.action for e in case.events.filter(action__startswith="overdue")] == [
        "overdue_agent",
        "overdue_manager",
        "overdue_lead",
    ]


@pytest.mark.django_db
def test_cases_back_with_the_applicant_are_not_escalated(case_world):
    case = accepted_case(case_world)
    Case.objects.filter(pk=case.pk).update(status=Status.RETURNED)
    assert sum(check_deadlines(now=_at(20)).values()) == 0


# threads sweep in their own transactions;
# serialized_rollback: deadlines need the seeded calendar
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_send_each_step_once(case_world):
    make_staff("lead2", Role.CENTRE_LEAD, centre=case_world["tree"]["street"].centre)
    cases = [accepted_case(case_world) for _ in range(5)]
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            check_deadlines(now=_at(20))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert DeadlineAlert.objects.count() == 4 * len(cases)
    leads = Notification.objects.filter(kind="case_overdue_lead")
    assert leads.count() == 2 * len(cases)  # two leads, once per case each


# a qcluster process reads committed rows;
# serialized_rollback: deadlines need the seeded calendar
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_escalation_through_a_real_worker(case_world):
    """The scheduled task through a real qcluster process and the ORM broker; the case's
    deadline (October 2026) has passed by the real clock."""
    from django_q.tasks import async_task

    case = accepted_case(case_world)
    db = connection.settings_dict
    url = f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "server.settings.test",
            "DATABASE_URL": url,
            "Q_SYNC": "false",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(2):  # twice: the second run must send nothing
            async_task("cases.tasks.check_deadlines", sync=False)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if DeadlineAlert.objects.filter(case=case, kind="overdue_lead").exists():
                time.sleep(2)  # let the second run finish too
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert sorted(DeadlineAlert.objects.filter(case=case).values_list("kind", flat=True)) == [
        "overdue_agent",
        "overdue_lead",
        "overdue_manager",
        "warning",
    ]
    assert Notification.objects.filter(kind="case_overdue_lead").count() == 1
