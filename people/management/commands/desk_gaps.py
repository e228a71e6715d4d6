"""python manage.py desk_gaps [--days 30] [--centre CODE]: working days with nobody at a desk."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.errors import ApplicationError
from geo import services as geo_services
from geo.models import ServiceCentre
from people.selectors import desk_gaps


class Command(BaseCommand):
    help = "List coming working days on which a centre has nobody to receive residents."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--centre", help="Division code of one centre (default: all).")

    def handle(self, *args, days: int, centre: str | None, **opts):
        first = timezone.localdate()
        last = first + timedelta(days=days)
        centres = ServiceCentre.objects.select_related("area").order_by("area__code")
        if centre:
            try:
                centres = centres.filter(area=geo_services.area_get(code=centre))
            except ApplicationError as exc:
                raise CommandError(f"{exc.code}: {exc.message}") from None
        uncovered = 0
        for c in centres:
            gaps = desk_gaps(c, first, last)
            if gaps.days:
                uncovered += 1
                days_text = ", ".join(d.isoformat() for d in gaps.days)
                note = " (provisional calendar)" if gaps.provisional else ""
                self.stdout.write(
                    f"{c.area.code} {c.name}: {len(gaps.days)} days{note}: {days_text}"
                )
        self.stdout.write(
            f"{uncovered} of {centres.count()} centres lack desk cover between {first} and {last}"
        )
