"""python manage.py propose_notices [--period 2026-10] [--today 2026-11-03]: lagging-unit
notices (通报) for review; each unit, rule and period once, however often it runs."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from supervision.notices import propose_notices


class Command(BaseCommand):
    help = "Propose lagging-unit notices from the active notice rules."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", help="2026-10, 2026-Q4 or 2026 (default: the latest complete period)."
        )
        parser.add_argument("--today", help="Pretend today is this date (ISO).")

    def handle(self, *args, period: str | None, today: str | None, **opts):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today {today!r} is not a date") from None
        created = propose_notices(today=day, period=period)
        self.stdout.write(f"{created} notices proposed")
