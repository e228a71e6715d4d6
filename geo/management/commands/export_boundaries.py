"""python manage.py export_boundaries --level grid [--area CODE] [--output FILE]"""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from geo import services
from geo.importing import LEVELS, export_boundaries


class Command(BaseCommand):
    help = "Export areas of a level, or grids, as a GeoJSON FeatureCollection (WGS-84)."

    def add_arguments(self, parser):
        parser.add_argument("--level", required=True, choices=LEVELS)
        parser.add_argument("--area", help="Only what lies in this area (division code).")
        parser.add_argument("--include-retired", action="store_true")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, **opts):
        try:
            area = services.area_get(code=opts["area"]) if opts["area"] else None
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        collection = export_boundaries(
            level=opts["level"], area=area, include_retired=opts["include_retired"]
        )
        text = json.dumps(collection, ensure_ascii=False)
        if opts["output"]:
            with open(opts["output"], "w", encoding="utf-8") as f:
                f.write(text)
            self.stderr.write(f"wrote {len(collection['features'])} features to {opts['output']}")
        else:
            self.stdout.write(text)
