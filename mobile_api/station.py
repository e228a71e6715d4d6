"""A station's open work at a glance, for its manager's phone: each agent's open appointments
and cases with their lights, the unrouted queue, and the overdue list. Counted in the database
(one aggregate per kind), not in Python loops."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from appointments.models import Appointment
from appointments.models import Status as AppointmentStatus
from cases.deadlines import light_sql
from cases.models import OPEN, Case
from geo.models import ServiceCentre
from people.models import Role, Staff


def station_work(centre: ServiceCentre, day: date) -> dict:
    agents = {
        s.pk: {"id": s.pk, "name": s.full_name, "phone": s.phone, "active": s.active}
        for s in Staff.objects.filter(centre=centre, roles__contains=[Role.AGENT]).order_by(
            "full_name", "pk"
        )
    }
    for row in agents.values():
        row.update(awaiting=0, confirmed=0, cases=0, green=0, yellow=0, red=0)
    for agent_id, status, n in (
        Appointment.objects.filter(
            agent_id__in=agents,
            status__in=[AppointmentStatus.AWAITING, AppointmentStatus.CONFIRMED],
        )
        .values_list("agent_id", "status")
        .annotate(n=Count("pk"))
    ):
        agents[agent_id]["awaiting" if status == AppointmentStatus.AWAITING else "confirmed"] = n
    cases = Case.objects.filter(Q(centre=centre) | Q(responsible_id__in=agents), status__in=OPEN)
    lit = cases.annotate(light=light_sql(day))
    for agent_id, light, n in lit.values_list("responsible_id", "light").annotate(n=Count("pk")):
        if agent_id in agents:
            agents[agent_id]["cases"] += n
            if light:
                agents[agent_id][light] += n
    overdue = [
        {
            "id": c.pk,
            "tracking_code": c.tracking_code,
            "item": c.item_version.name,
            "agent": c.responsible.full_name,
            "due_date": c.due_date,
            "status": c.status,
        }
        for c in lit.filter(light="red")
        .select_related("item_version", "responsible")
        .order_by("due_date", "pk")[:200]
    ]
    unrouted = Appointment.objects.filter(
        queue_centre=centre, status=AppointmentStatus.UNROUTED
    ).count()
    return {
        "station": {"code": centre.area.code, "name": centre.name},
        "date": day,
        "agents": list(agents.values()),
        "unrouted": unrouted,
        "overdue": overdue,
    }
