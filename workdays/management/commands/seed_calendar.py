"""python manage.py seed_calendar [--year 2026 ...]: load holidays from chinesecalendar."""

from django.core.management.base import BaseCommand

from workdays.seeding import seed_from_library


class Command(BaseCommand):
    help = "Load statutory holidays and adjusted working days from the chinesecalendar library."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", help="Reload this year (repeatable)."
        )

    def handle(self, *args, **opts):
        loaded = seed_from_library(set(opts["year"]) if opts["year"] else None)
        for year, days in loaded.items():
            self.stdout.write(f"{year}: {days} special days")
        if not loaded:
            self.stdout.write("nothing new to load")
