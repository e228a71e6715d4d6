"""python manage.py import_boundaries FILE --level {district,street,community,grid} ..."""

from django.core.management.base import BaseCommand, CommandError

from core import coords
from core.errors import ApplicationError
from geo.importing import LEVELS, import_boundaries


class Command(BaseCommand):
    help = (
        "Import areas or grids from any file GDAL reads (GeoJSON, Shapefile, GeoPackage, KML), "
        "reprojected to WGS-84. All or nothing; --dry-run lists every bad feature. "
        "--source-crs gcj02|bd09 for files traced on Chinese web maps; --make-valid repairs "
        "invalid rings and reports each feature's change of area."
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
        parser.add_argument(
            "--make-valid",
            action="store_true",
            help="Repair invalid rings (polygonal parts kept); refuse a repair that changes a "
            "feature's area by more than GEO_REPAIR_MAX_AREA_CHANGE_PERCENT.",
        )
        parser.add_argument(
            "--source-crs",
            default=coords.WGS84,
            choices=coords.CRS_CHOICES,
            help="The Chinese map system a longitude/latitude file was drawn in (default wgs84).",
        )

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
                make_valid=opts["make_valid"],
                source_crs=opts["source_crs"],
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        converted = (
            f", vertices converted from {report.source_crs}"
            if report.source_crs != coords.WGS84
            else ""
        )
        self.stdout.write(
            f"source CRS: {report.source_srs}{converted}; features: {report.features}"
        )
        for item in report.repairs:
            repair = item.repair
            self.stdout.write(
                f"  feature {item.index} ({item.code or 'no code'}) repaired: {repair.reason}; "
                f"area {repair.area_before_m2:.1f} m² → {repair.area_after_m2:.1f} m² "
                f"({repair.change_m2:+.1f} m², {repair.change_percent:.3f} %)"
            )
        for problem in report.problems:
            self.stdout.write(
                f"  feature {problem.index} ({problem.code or 'no code'}): "
                f"{problem.error}: {problem.message}"
            )
        if any(p.error == "invalid_geometry" for p in report.problems):
            self.stdout.write("  (--make-valid repairs invalid rings and reports the change)")
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
