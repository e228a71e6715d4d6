"""Check the registers' hash chains: `python manage.py verify_register [--centre CODE] [--year Y]`.

Exit status 1 when anything is wrong (a changed, removed or inserted entry)."""

from django.core.management.base import BaseCommand

from cases.models import RegisterEntry
from cases.register import verify


class Command(BaseCommand):
    help = "Verify the register entries' serials and hash chain; report any tampering."

    def add_arguments(self, parser):
        parser.add_argument("--centre", help="Station division code (12 digits, or its prefix).")
        parser.add_argument("--year", type=int)

    def handle(self, *args, centre=None, year=None, **options):
        problems = verify(centre_code=centre, year=year)
        for p in problems:
            where = f"{p.centre} {p.year}" + (f"-{p.serial:05d}" if p.serial else "")
            self.stderr.write(f"{where}: {p.code}: {p.message}")
        if problems:
            self.stderr.write(self.style.ERROR(f"{len(problems)} problem(s) found."))
            raise SystemExit(1)
        entries = RegisterEntry.objects.all()
        if centre:
            entries = entries.filter(centre__area__code=centre.ljust(12, "0"))
        if year:
            entries = entries.filter(year=year)
        self.stdout.write(f"All registers verified: {entries.count()} entries, no problems.")
