"""Check the registers' hash chains:
`python manage.py verify_register [--centre CODE] [--year Y] [--head HASH …] [--key-file ID=PATH …]`.

Keyed entries are recomputed with the register chain key (the current one from the settings;
older ones, kept offline after a rotation, with `--key-file`), and every head published here
and every `--head` kept outside (the board, a supervisor's export) must still be in the chain.
Exit status 1 when anything is wrong (a changed, removed or inserted entry, a rewritten chain);
the first problem printed is the first bad entry."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.models import RegisterEntry
from cases.register import verify


class Command(BaseCommand):
    help = "Verify the register entries' serials and keyed hash chain against published heads."

    def add_arguments(self, parser):
        parser.add_argument("--centre", help="Station division code (12 digits, or its prefix).")
        parser.add_argument("--year", type=int)
        parser.add_argument(
            "--head",
            action="append",
            default=[],
            metavar="HASH",
            help="A published head kept outside (repeatable): the register must still lead to it.",
        )
        parser.add_argument(
            "--key-file",
            action="append",
            default=[],
            metavar="ID=PATH",
            help="An older chain key by its id, read from a file (repeatable; after a rotation).",
        )

    def handle(self, *args, centre=None, year=None, head=(), key_file=(), **options):
        problems = verify(centre_code=centre, year=year, keys=_keys(key_file), heads=head)
        for p in problems:
            where = f"{p.centre} {p.year}" + (f"-{p.serial:05d}" if p.serial else "")
            self.stderr.write(f"{where}: {p.code}: {p.message}")
        if problems:
            first = next((p for p in problems if p.serial), problems[0])
            where = f"{first.centre} {first.year}" + (
                f"-{first.serial:05d}" if first.serial else ""
            )
            self.stderr.write(
                self.style.ERROR(f"{len(problems)} problem(s) found; the first bad entry: {where}.")
            )
            raise SystemExit(1)
        entries = RegisterEntry.objects.all()
        if centre:
            entries = entries.filter(centre__area__code=centre.ljust(12, "0"))
        if year:
            entries = entries.filter(year=year)
        self.stdout.write(f"All registers verified: {entries.count()} entries, no problems.")


def _keys(specs) -> dict[str, bytes]:
    keys = {}
    for spec in specs:
        key_id, sep, path = spec.partition("=")
        if not sep or not key_id or not path:
            raise CommandError(f"--key-file takes ID=PATH, not {spec!r}")
        try:
            keys[key_id] = Path(path).read_bytes().strip()
        except OSError as exc:
            raise CommandError(f"cannot read the key {key_id!r}: {exc}") from None
    return keys
