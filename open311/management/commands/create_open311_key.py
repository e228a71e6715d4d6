"""Issue an Open311 API key: `python manage.py create_open311_key NAME`.

The raw key goes to standard output, alone on its line (KEY=$(… create_open311_key NAME)); it
is shown only now: only its SHA-256 digest is stored."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from open311.keys import api_key_create


class Command(BaseCommand):
    help = "Issue an API key for an Open311 client and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The client's name, e.g. the app or portal.")

    def handle(self, *args, name, **options):
        try:
            key, raw = api_key_create(name=name)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
        self.stderr.write(
            f"API key {key.prefix}… issued to {key.name!r} (id {key.pk}). Copy it now: only "
            "its hash is kept, and it cannot be shown again."
        )
