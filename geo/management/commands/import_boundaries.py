"""python manage.py import_boundaries FILE --level {district,street,community,grid} ..."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from geo.importing import LEVELS, import_boundaries


class Command(BaseCommand):
    help = (
        "Import areas or grids from any file GDAL reads (GeoJSON, Shapefile, GeoPackage, KML), "
        "reprojected to WGS-84. All or nothing; --dry-run lists every bad feature."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--level", required=True, choices=LEVELS)
        parser.add_argument("--parent", help="Division code of the parent of every feature.")
        parser.add_argument("--code-field", default="code")
        parser.add_argument("--name-field", default="name")
        parser.add_argument("--kind-field", default="kind")
        parser.add_argument("--parent-field", default="parent_code")
        parser.add_argument("--layer", default="0", help="Layer index or name (default 0).")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **opts):
        layer = int(opts["layer"]) if opts["layer"].isdigit() else opts["layer"]
        try:
            report = import_boundaries(
                opts["file"],
                level=opts["level"],
                parent_code=opts["parent"],
                code_field=opts["code_field"],
                name_field=opts["name_field"],
                kind_field=opts["kind_field"],
                parent_field=opts["parent_field"],
                layer=layer,
                dry_run=opts["dry_run"],
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        self.stdout.write(f"source CRS: {report.source_srs}; features: {report.features}")
        for problem in report.problems:
            self.stdout.write(
                f"  feature {problem.index} ({problem.code or 'no code'}): "
                f"{problem.error}: {problem.message}"
            )
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} of {report.features} features refused; nothing saved."
            )
        verb = "would create" if opts["dry_run"] else "created"
        verb2 = "would update" if opts["dry_run"] else "updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {len(report.created)}, {verb2} {len(report.updated)}")
            + (" (dry run: nothing saved)" if opts["dry_run"] else "")
        )
