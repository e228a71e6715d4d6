"""Import and export of boundaries from files GDAL reads (GeoJSON, Shapefile, GeoPackage, KML).

Reprojection uses the file's own spatial reference (CGCS2000 EPSG:4490 and Gauss–Krüger zones
are common in China) to WGS-84. Every feature goes through geo.services, so the same rules
apply as on the API. An import is all-or-nothing: one bad feature and nothing is saved; every
bad feature is reported with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from . import services
from .geometry import geojson
from .models import Area, Grid

LEVELS = ("district", "street", "community", "grid")
DEFAULT_KIND = {"district": "district", "street": "street", "community": "community"}


@dataclass
class FeatureProblem:
    index: int
    code: str
    error: str
    message: str


@dataclass
class ImportReport:
    features: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    problems: list[FeatureProblem] = field(default_factory=list)
    source_srs: str = ""

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


def import_boundaries(
    path: str | Path,
    *,
    level: str,
    parent_code: str | None = None,
    code_field: str = "code",
    name_field: str = "name",
    kind_field: str = "kind",
    parent_field: str = "parent_code",
    layer: int | str = 0,
    dry_run: bool = False,
    actor=None,
) -> ImportReport:
    """Read every feature, apply every rule, save all or nothing."""
    if level not in LEVELS:
        raise ApplicationError("invalid_level", _("Level must be one of %s.") % ", ".join(LEVELS))
    try:
        source = DataSource(str(path))
        data = source[layer]
    except (GDALException, IndexError) as exc:
        raise ApplicationError(
            "unreadable_file", _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from None
    srs = data.srs
    report = ImportReport(source_srs=(srs.name if srs else "none (assumed WGS-84)"))
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
                try:
                    with transaction.atomic():
                        _import_feature(
                            feature,
                            report=report,
                            level=level,
                            code=code,
                            name=_field(feature, name_field) or code,
                            kind=_field(feature, kind_field) or DEFAULT_KIND.get(level, ""),
                            parent=fixed_parent
                            or _parent_from_field(_field(feature, parent_field), level),
                            transform=transform,
                            actor=actor,
                            source_name=f"import from {Path(str(path)).name}",
                        )
                except ApplicationError as exc:
                    report.problems.append(FeatureProblem(index, code, exc.code, exc.message))
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


def _import_feature(
    feature, *, report, level, code, name, kind, parent, transform, actor, source_name
):
    try:
        ogr = feature.geom.clone()
        if transform is not None:
            ogr.transform(transform)
        geom = ogr.geos
    except (GDALException, ValueError) as exc:
        raise ApplicationError("malformed_geometry", str(exc)) from None
    geom.srid = 4326
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
        else:
            grid = services.grid_create(
                community=parent,
                code=code or None,
                name=name,
                boundary=geom,
                actor=actor,
                note="import",
            )
            report.created.append(grid.code)
        return
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
