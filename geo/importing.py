"""Import and export of boundaries from files GDAL reads (GeoJSON, Shapefile, GeoPackage, KML).

Reprojection uses the file's own spatial reference (CGCS2000 EPSG:4490 and Gauss–Krüger zones
are common in China) to WGS-84. Files traced on a Chinese web map are in GCJ-02 or BD-09, which
no spatial reference expresses: with `source_crs` every vertex is converted by core.coords
before any rule. With `make_valid`, invalid rings are repaired (geo.repair) and each repair
reported with its change of area. Every feature then goes through geo.services, so the same
rules apply as on the API. An import is all-or-nothing: one bad feature and nothing is saved;
every bad feature is reported with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils.translation import gettext as _

from core import coords
from core.errors import ApplicationError

from . import services
from .geometry import GeometryError, geojson, geometry_to_wgs84, parse_crs
from .models import Area, Grid
from .repair import BoundaryRepair, boundary_repair

LEVELS = ("district", "street", "community", "grid")
DEFAULT_KIND = {"district": "district", "street": "street", "community": "community"}


@dataclass
class FeatureProblem:
    index: int
    code: str
    error: str
    message: str
    details: dict = field(default_factory=dict)


@dataclass
class FeatureRepair:
    """A feature whose invalid rings were repaired (`make_valid`), and what that did to its area."""

    index: int
    code: str
    repair: BoundaryRepair


@dataclass
class FeatureItem:
    """One feature as a preview shows it: where it is and what would happen to it."""

    index: int
    code: str
    name: str
    geometry: GEOSGeometry | None = None
    action: str = ""  # "create" or "update" when accepted
    problem: FeatureProblem | None = None
    repair: BoundaryRepair | None = None


@dataclass
class ImportReport:
    features: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    problems: list[FeatureProblem] = field(default_factory=list)
    repairs: list[FeatureRepair] = field(default_factory=list)
    items: list[FeatureItem] = field(default_factory=list)
    source_srs: str = ""
    source_crs: str = coords.WGS84

    @property
    def ok(self) -> bool:
        return not self.problems


class _Rollback(Exception):
    pass


def _field(feature, name: str | None) -> str:
    if not name:
        return ""
    try:
        value = feature.get(name)
    except (GDALException, IndexError, KeyError):
        return ""
    return "" if value is None else str(value).strip()


def boundary_file_open(path: str | Path, *, layer: int | str = 0):
    """An operator's file (the command): GDAL picks the driver, the file's own spatial reference
    applies. Files from a request open through geo.upload_files instead (ADR 0004)."""
    try:
        source = DataSource(str(path))
        return source, source[layer]
    except (GDALException, IndexError) as exc:
        raise ApplicationError(
            "unreadable_file", _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from None


def import_boundaries(path: str | Path, *, layer: int | str = 0, **options) -> ImportReport:
    """Read every feature of an operator's file, apply every rule, save all or nothing
    (`import_layer`, with the file's own spatial reference)."""
    options.setdefault("source_name", f"import from {Path(str(path)).name}")
    _source, data = boundary_file_open(path, layer=layer)  # the layer keeps its source open
    return import_layer(data, srs=data.srs, **options)


def import_layer(
    data,
    *,
    srs,
    level: str,
    parent_code: str | None = None,
    code_field: str = "code",
    name_field: str = "name",
    kind_field: str = "kind",
    parent_field: str = "parent_code",
    dry_run: bool = False,
    make_valid: bool = False,
    source_crs: str = coords.WGS84,
    actor=None,
    source_name: str = "import",
    keep_geometry: bool = False,
) -> ImportReport:
    """Read every feature of an open GDAL layer, apply every rule, save all or nothing.

    The one import path: the `import_boundaries` command and boundary files uploaded from the
    browser (geo.uploads) both come here. `srs` is the spatial reference the coordinates are
    in (None: WGS-84). `source_crs` (wgs84, gcj02, bd09) names the Chinese map system a
    longitude/latitude file was drawn in; `make_valid` repairs invalid rings instead of refusing
    them, within the tolerance of area change in settings.GEO["REPAIR_MAX_AREA_CHANGE_PERCENT"].
    With `keep_geometry` the report lists every feature with its geometry as it would be stored
    (`ImportReport.items`), for a preview on a map.
    """
    if level not in LEVELS:
        raise ApplicationError("invalid_level", _("Level must be one of %s.") % ", ".join(LEVELS))
    source_crs = parse_crs(source_crs)
    if source_crs != coords.WGS84 and srs is not None and not srs.geographic:
        raise GeometryError(
            "source_crs_conflict",
            _(
                "The file is in %(srs)s, projected; %(crs)s applies only to files in longitude "
                "and latitude."
            )
            % {"srs": srs.name, "crs": source_crs},
            details={"source_srs": srs.name, "source_crs": source_crs},
        )
    report = ImportReport(
        source_srs=(srs.name if srs else "none (assumed WGS-84)"), source_crs=source_crs
    )
    transform = None
    if srs is not None:
        target = SpatialReference(4326)
        if srs.srid != 4326:
            transform = CoordTransform(srs, target)
    fixed_parent = services.area_get(code=parent_code) if parent_code else None

    try:
        with transaction.atomic():
            for index, feature in enumerate(data, start=1):
                report.features += 1
                code = _field(feature, code_field)
                name = _field(feature, name_field) or code
                item = FeatureItem(index, code, name) if keep_geometry else None
                try:
                    with transaction.atomic():
                        geom = _feature_geometry(
                            feature,
                            transform=transform,
                            source_crs=source_crs,
                            make_valid=make_valid,
                            report=report,
                            index=index,
                            code=code,
                            item=item,
                        )
                        action = _import_feature(
                            report=report,
                            geom=geom,
                            level=level,
                            code=code,
                            name=name,
                            kind=_field(feature, kind_field) or DEFAULT_KIND.get(level, ""),
                            parent=fixed_parent
                            or _parent_from_field(_field(feature, parent_field), level),
                            actor=actor,
                            source_name=source_name,
                        )
                        if item is not None:
                            item.action = action
                except ApplicationError as exc:
                    problem = FeatureProblem(index, code, exc.code, exc.message, exc.details)
                    report.problems.append(problem)
                    if item is not None:
                        item.problem = problem
                if item is not None:
                    report.items.append(item)
            if dry_run or report.problems:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _parent_from_field(code: str, level: str) -> Area | None:
    if level == "district":
        return None
    if not code:
        raise ApplicationError(
            "missing_parent",
            _("The feature names no parent; give --parent or a parent code field."),
        )
    return services.area_get(code=code)


def _feature_geometry(feature, *, transform, source_crs, make_valid, report, index, code, item):
    """The feature's geometry in WGS-84, converted from `source_crs` and repaired if asked
    (kept on `item` as drawn, then as repaired, so a refused feature is shown where it is)."""
    try:
        ogr = feature.geom.clone()
        if transform is not None:
            ogr.transform(transform)
        geom = ogr.geos
    except (GDALException, ValueError) as exc:
        raise ApplicationError("malformed_geometry", str(exc)) from None
    geom.srid = 4326
    geom = geometry_to_wgs84(geom, source_crs)
    if item is not None:
        item.geometry = geom
    if make_valid:
        geom, repair = boundary_repair(geom)
        if repair is not None:
            report.repairs.append(FeatureRepair(index, code, repair))
            if item is not None:
                item.geometry, item.repair = geom, repair
    return geom


def _import_feature(*, report, geom, level, code, name, kind, parent, actor, source_name) -> str:
    """Creates or updates one area or grid through geo.services; answers "create" or "update"."""
    if level == "grid":
        if parent is None:
            raise ApplicationError("missing_parent", _("A grid needs its community (--parent)."))
        existing = Grid.objects.filter(code=code).first() if code else None
        if existing is not None:
            if existing.community_id != parent.pk:
                raise ApplicationError(
                    "grid_community_mismatch",
                    _("Grid %(code)s belongs to another community.") % {"code": code},
                )
            services.grid_update(
                grid=existing, name=name, boundary=geom, actor=actor, note="import"
            )
            report.updated.append(code)
            return "update"
        grid = services.grid_create(
            community=parent,
            code=code or None,
            name=name,
            boundary=geom,
            actor=actor,
            note="import",
        )
        report.created.append(grid.code)
        return "create"
    if not code:
        raise ApplicationError("missing_code", _("The feature has no division code."))
    existed = Area.objects.filter(code=services.normalise_area_code(code)).exists()
    area = services.area_upsert(
        code=code,
        name=name,
        level=level,
        kind=kind,
        parent=parent,
        boundary=geom,
        source=source_name,
    )
    (report.updated if existed else report.created).append(area.code)
    return "update" if existed else "create"


def export_boundaries(
    *, level: str, area: Area | None = None, include_retired: bool = False
) -> dict:
    """A GeoJSON FeatureCollection of areas of a level, or of grids, optionally within an area."""
    from .selectors import area_descendant_ids

    ids = area_descendant_ids(area) if area else None
    features = []
    if level == "grid":
        grids = Grid.objects.select_related("community").order_by("code")
        if not include_retired:
            grids = grids.filter(retired_at__isnull=True)
        if ids is not None:
            grids = grids.filter(community_id__in=ids)
        for grid in grids:
            features.append(
                {
                    "type": "Feature",
                    "id": grid.code,
                    "geometry": geojson(grid.boundary),
                    "properties": {
                        "code": grid.code,
                        "name": grid.name,
                        "parent_code": grid.community.code,
                        "active": grid.active,
                    },
                }
            )
    else:
        areas = Area.objects.filter(level=level).select_related("parent").order_by("code")
        if ids is not None:
            areas = areas.filter(pk__in=ids)
        for a in areas:
            features.append(
                {
                    "type": "Feature",
                    "id": a.code,
                    "geometry": geojson(a.boundary),
                    "properties": {
                        "code": a.code,
                        "name": a.name,
                        "level": a.level,
                        "kind": a.kind,
                        "parent_code": a.parent.code if a.parent else None,
                        "boundary_source": a.boundary_source,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}
