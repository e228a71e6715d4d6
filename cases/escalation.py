"""The yellow warning and the overdue escalation, each sent exactly once per case.

One sweep (a django-q2 schedule, every 15 minutes): for each step, one INSERT … ON CONFLICT DO
NOTHING RETURNING picks the cases that have reached it and have not had it, and the
notifications are written in the same transaction. The unique (case, kind) row is the memory:
a second run, a concurrent run or a restarted cluster finds it and sends nothing.

Steps: warning (yellow: 80 % of the limit elapsed) → the agent; overdue → the agent; still
late ESCALATION_STEP_DAYS working days after that → the station's managers; as many again →
the street/town centre's leads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from people.models import Role, Staff
from workdays.calendar import local_date

from . import deadlines
from .models import RUNNING, Case, DeadlineAlert
from .register import street_centre_of

Kind = DeadlineAlert.Kind

_RUNNING = ", ".join(f"'{s}'" for s in RUNNING)
_DUE_SQL = {
    Kind.WARNING: """
        workdays_count((c.accepted_at AT TIME ZONE 'Asia/Shanghai')::date, %(today)s) * 100
        >= v.proxy_limit_days * %(yellow)s""",
    Kind.OVERDUE_AGENT: "%(today)s > c.due_date",
    # counted in working days late: the first late working day is the agent's alone
    Kind.OVERDUE_MANAGER: "workdays_count(c.due_date, %(today)s) > %(step)s",
    Kind.OVERDUE_LEAD: "workdays_count(c.due_date, %(today)s) > 2 * %(step)s",
}


def _claim(kind: str, today: date, now: datetime) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO cases_deadlinealert (case_id, kind, sent_at)
            SELECT c.id, %(kind)s, %(now)s
            FROM cases_case c JOIN catalogue_serviceitemversion v ON v.id = c.item_version_id
            WHERE c.status IN ({_RUNNING}) AND c.due_date IS NOT NULL AND ({_DUE_SQL[kind]})
            ORDER BY c.id
            ON CONFLICT (case_id, kind) DO NOTHING
            RETURNING case_id
            """,
            {
                "kind": kind,
                "now": now,
                "today": today,
                "yellow": deadlines.yellow_percent(),
                "step": settings.CASES["ESCALATION_STEP_DAYS"],
            },
        )
        return [row[0] for row in cursor.fetchall()]


def _recipients(case: Case, kind: str):
    if kind in (Kind.WARNING, Kind.OVERDUE_AGENT):
        return [case.responsible.user]
    if kind == Kind.OVERDUE_MANAGER:
        centre, roles = case.centre, [Role.STATION_MANAGER, Role.CENTRE_STAFF]
    else:
        centre, roles = street_centre_of(case.centre), [Role.CENTRE_LEAD]
    return [
        s.user
        for s in Staff.objects.filter(centre=centre, active=True, roles__overlap=roles)
        .select_related("user")
        .order_by("pk")
    ]


def _message(case: Case, kind: str) -> tuple[Callable[[], str], Callable[[], str]]:
    """Title and body, to be made in the recipient's language (`notify` calls them)."""
    values = {
        "code": case.tracking_code,
        "item": case.item_version.name,
        "due": case.due_date.isoformat(),
        "agent": case.responsible.full_name,
    }
    if kind == Kind.WARNING:
        return (
            lambda: _("Deadline near: %(code)s") % values,
            lambda: _("%(item)s is due on %(due)s.") % values,
        )
    return (
        lambda: _("Overdue: %(code)s") % values,
        lambda: _("%(item)s was due on %(due)s (agent %(agent)s).") % values,
    )


def check_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Send every warning and escalation step that is due and not yet sent."""
    now = now or timezone.now()
    today = local_date(now)
    sent = {}
    for kind in (Kind.WARNING, Kind.OVERDUE_AGENT, Kind.OVERDUE_MANAGER, Kind.OVERDUE_LEAD):
        with transaction.atomic():
            ids = _claim(kind, today, now)
            cases = Case.objects.filter(pk__in=ids).select_related(
                "centre__area", "responsible__user", "item_version"
            )
            for case in cases:
                title, body = _message(case, kind)
                for user in _recipients(case, kind):
                    notify(
                        user=user,
                        kind=f"case_{kind}",
                        title=title,  # made in each recipient's language
                        body=body,
                        data={"case": case.pk, "due_date": case.due_date.isoformat()},
                    )
                case.events.create(
                    action=kind,
                    from_status=case.status,
                    to_status=case.status,
                    data={"due_date": case.due_date.isoformat()},
                )
        sent[kind] = len(ids)
    return sent
