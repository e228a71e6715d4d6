"""The spatial core's settings: `settings.GEO`, tolerances and limits in metres / square metres.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["GEO"]


def _epsg_list(text: str) -> tuple[int, ...]:
    """ "4326,4490,4491-4554" → the codes, ranges expanded."""
    codes: list[int] = []
    for part in text.replace(" ", "").split(","):
        if "-" in part:
            low, high = part.split("-", 1)
            codes.extend(range(int(low), int(high) + 1))
        elif part:
            codes.append(int(part))
    return tuple(codes)


# Spatial rules (geo/): tolerances and limits, all in metres / square metres.
GEO = {
    # a child area or grid may stick out of its parent by at most this many metres
    "PARENT_TOLERANCE_M": float(os.environ.get("GEO_PARENT_TOLERANCE_M", "5")),
    # grids of one community may overlap by at most this many square metres
    "OVERLAP_TOLERANCE_M2": float(os.environ.get("GEO_OVERLAP_TOLERANCE_M2", "1")),
    # coverage gaps and overlaps smaller than this are numerical noise, not findings
    "COVERAGE_MIN_AREA_M2": float(os.environ.get("GEO_COVERAGE_MIN_AREA_M2", "1")),
    # a boundary edit whose changed part comes this close to a grid its editor does not manage
    # moves an edge shared with that grid: it becomes a proposal (geo.rules.edit_reach)
    "SHARED_EDGE_TOLERANCE_M": float(os.environ.get("GEO_SHARED_EDGE_TOLERANCE_M", "0.5")),
    "MAX_VERTICES": int(os.environ.get("GEO_MAX_VERTICES", "20000")),
    # a point in no grid goes to the nearest grid within this distance (outside coverage)
    "NEAREST_GRID_MAX_M": float(os.environ.get("GEO_NEAREST_GRID_MAX_M", "500")),
    # import --make-valid refuses a repair changing a feature's area by more than this percentage
    "REPAIR_MAX_AREA_CHANGE_PERCENT": float(
        os.environ.get("GEO_REPAIR_MAX_AREA_CHANGE_PERCENT", "1")
    ),
    # boundary files uploaded from the browser (geo.upload_files, ADR 0004): what may be opened
    "UPLOAD_MAX_BYTES": int(os.environ.get("GEO_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))),
    "UPLOAD_MAX_FEATURES": int(os.environ.get("GEO_UPLOAD_MAX_FEATURES", "2000")),
    # a zipped Shapefile: members, their unpacked total, and the unpacked/packed ratio of each
    "UPLOAD_ZIP_MAX_MEMBERS": int(os.environ.get("GEO_UPLOAD_ZIP_MAX_MEMBERS", "16")),
    "UPLOAD_ZIP_MAX_BYTES": int(os.environ.get("GEO_UPLOAD_ZIP_MAX_BYTES", str(50 * 1024 * 1024))),
    "UPLOAD_ZIP_MAX_RATIO": float(os.environ.get("GEO_UPLOAD_ZIP_MAX_RATIO", "100")),
    # the coordinate systems an uploaded file may be in: WGS-84, CGCS2000 and its Gauss–Krüger
    # zones (3° and 6°, with and without zone prefix), Web Mercator
    "UPLOAD_ALLOWED_EPSG": _epsg_list(
        os.environ.get("GEO_UPLOAD_ALLOWED_EPSG", "4326,4490,4491-4554,3857")
    ),
}

ENUM_NAME_OVERRIDES = {
    "BoundaryUploadStatusEnum": "geo.models.BoundaryUpload.Status",
}
