"""Route a backlog: appointments that arrived without routing (an import, an offline intake)."""

from django.core.management.base import BaseCommand

from appointments.backlog import route_queued


class Command(BaseCommand):
    help = "Route every appointment waiting without a routing decision, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--limit", type=int, default=None, help="at most this many")
        parser.add_argument(
            "--workers", type=int, default=1, help="batches side by side (one connection each)"
        )

    def handle(self, *args, batch_size, limit, workers, **options):
        routed = route_queued(batch_size=batch_size, limit=limit, workers=workers)
        self.stdout.write(f"{routed} appointments routed to an agent")
