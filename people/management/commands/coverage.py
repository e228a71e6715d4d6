"""python manage.py coverage AREA_CODE [--geojson FILE]"""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from geo import selectors, services
from geo.geojson import coverage_feature_collection
from people.selectors import staffing_gaps


class Command(BaseCommand):
    help = (
        "Coverage of an area: gaps, overlaps, figures, grids lacking a primary or all agents away."
    )

    def add_arguments(self, parser):
        parser.add_argument("area", help="Division code of a district, street/town or community.")
        parser.add_argument("--geojson", help="Also write gaps and overlaps to this GeoJSON file.")

    def handle(self, *args, **opts):
        try:
            area = services.area_get(code=opts["area"])
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        result = coverage_feature_collection(selectors.coverage_for_area(area))
        staffing = staffing_gaps(selectors.area_descendant_ids(area))
        figures = result["figures"]
        figures["grids_without_primary"] = staffing.without_primary
        figures["grids_all_agents_on_leave"] = staffing.all_agents_on_leave
        self.stdout.write(f"{figures['area_name']} ({figures['area']}, {figures['level']})")
        self.stdout.write(
            f"  area {figures['area_m2'] / 1e6:.3f} km², "
            f"uncovered {figures['uncovered_m2']:.0f} m², covered {figures['covered_pct']:.2f} %"
        )
        self.stdout.write(
            f"  communities {figures['communities']}, grids {figures['grids']}, "
            f"gaps {figures['gaps']}, overlaps {figures['overlaps']}"
        )
        for code in figures["communities_without_grids"]:
            self.stdout.write(f"  community without grids: {code}")
        for code in staffing.without_primary:
            self.stdout.write(f"  grid without an active primary agent: {code}")
        for code in staffing.all_agents_on_leave:
            self.stdout.write(f"  grid whose agents are all on leave: {code}")
        for feature in result["features"]:
            props = feature["properties"]
            where = props.get("community") or ", ".join(props.get("grids", [])) or "-"
            self.stdout.write(f"  {props['kind']}: {props['area_m2']:.0f} m² ({where})")
        if opts["geojson"]:
            with open(opts["geojson"], "w", encoding="utf-8") as f:
                json.dump(result, f, ensure_ascii=False)
