"""Boundary files uploaded from the browser: kept, previewed by a worker, applied all or nothing.

    upload ──► parsing ──► ready ──► applying ──► applied
                  │          ▲ │          │
                  ▼          │ ▼          ▼ (a feature refused meanwhile: ready, with why)
                failed ──────┘ new options (repair, source CRS, parent): parsing again

Who: district centre staff and administrators (`access.policy().may_import_boundaries`;
others 403 `permission_denied`); an upload is seen by its uploader only (others 404
`unknown_upload`, as if missing).

The worker opens the file through geo.upload_files (limits, zip checks, allow-listed EPSG
codes, no network: ADR 0004) and runs the one import path, geo.importing.import_layer — the
`import_boundaries` command's — as a dry run for the preview and for real on apply, so the
preview refuses exactly what applying would. Tasks are queued in the transaction that needs
them (core.tasks.enqueue_on_commit, ADR 0016) and carry the upload's `run`: a task for a
superseded run, or delivered twice, does nothing.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import coords
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.tasks import enqueue_on_commit

from . import access, services
from .geometry import geo_setting, geojson, parse_crs
from .importing import LEVELS, ImportReport, import_layer
from .models import BoundaryUpload
from .upload_files import boundary_file_open, check_size, file_format, gdal_offline

log = logging.getLogger(__name__)
Status = BoundaryUpload.Status
PREVIEW_TASK = "geo.tasks.boundary_upload_preview"
APPLY_TASK = "geo.tasks.boundary_upload_apply"


def require_importer(user) -> None:
    if not access.policy().may_import_boundaries(user):
        raise PermissionDenied(
            "permission_denied", _("Only district centre staff may upload boundary files.")
        )


def _options(*, level: str, parent_code: str, source_crs: str) -> tuple[str, str, str]:
    if level not in LEVELS:
        raise ApplicationError(
            "invalid_level",
            _("Level must be one of %s.") % ", ".join(LEVELS),
            details={"allowed": list(LEVELS)},
        )
    parent_code = (parent_code or "").strip()
    if parent_code:
        parent_code = services.area_get(code=parent_code).code  # 404 unknown_area
    return level, parent_code, parse_crs(source_crs or coords.WGS84)


def boundary_upload_create(
    *,
    actor,
    file,
    level: str,
    parent_code: str = "",
    make_valid: bool = False,
    source_crs: str = coords.WGS84,
) -> BoundaryUpload:
    """Keep an uploaded file and queue its preview."""
    require_importer(actor)
    fmt = file_format(file.name)
    check_size(file.size)
    level, parent_code, source_crs = _options(
        level=level, parent_code=parent_code, source_crs=source_crs
    )
    content = file.read(geo_setting("UPLOAD_MAX_BYTES") + 1)
    check_size(len(content))
    with transaction.atomic():
        upload = BoundaryUpload.objects.create(
            created_by=actor,
            filename=Path(file.name).name[:200],
            format=fmt,
            size=len(content),
            content=content,
            level=level,
            parent_code=parent_code,
            make_valid=make_valid,
            source_crs=source_crs,
        )
        enqueue_on_commit(PREVIEW_TASK, str(upload.pk), upload.run)
    return upload


def boundary_upload_get(*, actor, upload_id, for_update: bool = False) -> BoundaryUpload:
    """The requester's own upload; anyone else's, or none, is 404 `unknown_upload`."""
    require_importer(actor)
    try:
        pk = uuid.UUID(str(upload_id))
    except ValueError:
        pk = None
    uploads = BoundaryUpload.objects.filter(pk=pk, created_by=actor)
    upload = (uploads.select_for_update() if for_update else uploads).first() if pk else None
    if upload is None:
        raise NotFound(
            "unknown_upload", _("No such boundary upload."), details={"id": str(upload_id)}
        )
    return upload


def boundary_upload_repreview(
    *,
    actor,
    upload_id,
    make_valid: bool,
    source_crs: str,
    parent_code: str | None = None,
) -> BoundaryUpload:
    """Preview the same file again with other options (repair, source CRS, parent)."""
    with transaction.atomic():
        upload = boundary_upload_get(actor=actor, upload_id=upload_id, for_update=True)
        if upload.status not in (Status.READY, Status.FAILED):
            raise _busy(upload)
        _, parent, crs = _options(
            level=upload.level,
            parent_code=upload.parent_code if parent_code is None else parent_code,
            source_crs=source_crs,
        )
        upload.make_valid, upload.source_crs, upload.parent_code = make_valid, crs, parent
        upload.status, upload.run = Status.PARSING, upload.run + 1
        upload.result = upload.error = None
        upload.save()
        enqueue_on_commit(PREVIEW_TASK, str(upload.pk), upload.run)
    return upload


def boundary_upload_apply(*, actor, upload_id) -> BoundaryUpload:
    """Queue the import of a previewed file whose every feature is accepted."""
    with transaction.atomic():
        upload = boundary_upload_get(actor=actor, upload_id=upload_id, for_update=True)
        if upload.status != Status.READY:
            raise _busy(upload)
        refused = (upload.result or {}).get("refused", 0)
        if refused:
            raise Conflict(
                "preview_has_refusals",
                _(
                    "%(count)d features of the file are refused; fix them or choose other "
                    "options, then preview again. Nothing was saved."
                )
                % {"count": refused},
                details={"refused": refused},
            )
        upload.status, upload.run = Status.APPLYING, upload.run + 1
        upload.save()
        enqueue_on_commit(APPLY_TASK, str(upload.pk), upload.run)
    return upload


def _busy(upload: BoundaryUpload) -> Conflict:
    return Conflict(
        "upload_not_ready",
        _("The upload is %(status)s; this cannot be done now.")
        % {"status": upload.get_status_display()},
        details={"status": upload.status},
    )


# --- the worker's side (geo.tasks) -----------------------------------------------------------
def _read(upload: BoundaryUpload, *, dry_run: bool) -> tuple[ImportReport, int]:
    """Open the upload's bytes safely and run the one import path over them."""
    with tempfile.TemporaryDirectory(prefix="boundary-upload-") as workdir, gdal_offline():
        opened = boundary_file_open(bytes(upload.content), fmt=upload.format, workdir=Path(workdir))
        report = import_layer(
            opened.layer,
            srs=opened.srs,
            level=upload.level,
            parent_code=upload.parent_code or None,
            make_valid=upload.make_valid,
            source_crs=upload.source_crs,
            actor=upload.created_by,
            source_name=f"upload {upload.filename}"[:200],
            dry_run=dry_run,
            keep_geometry=True,
        )
        epsg = opened.epsg
        del opened  # closes the file before its directory goes
    return report, epsg


def _refusal(exc: Exception) -> dict:
    if isinstance(exc, ApplicationError):
        return {"code": exc.code, "message": exc.message, "details": exc.details}
    log.exception("boundary upload: unexpected failure reading the file")
    return {
        "code": "unreadable_file",
        "message": _("The file cannot be read: %(reason)s") % {"reason": type(exc).__name__},
        "details": {},
    }


def preview_of(report: ImportReport, *, epsg: int, make_valid: bool) -> dict:
    """The preview as the page draws it: every feature at its place, each refusal's reason."""
    features = []
    for item in report.items:
        problem = item.problem
        features.append(
            {
                "type": "Feature",
                "id": item.index,
                "geometry": geojson(item.geometry) if item.geometry is not None else None,
                "properties": {
                    "index": item.index,
                    "code": item.code,
                    "name": item.name,
                    "status": "refused" if problem else "accepted",
                    "action": item.action,
                    "error": problem.error if problem else "",
                    "message": problem.message if problem else "",
                    "details": problem.details if problem else {},
                    "repair": item.repair.as_dict() if item.repair else None,
                },
            }
        )
    return {
        "features": report.features,
        "accepted": report.features - len(report.problems),
        "refused": len(report.problems),
        "repaired": len(report.repairs),
        "created": report.created,
        "updated": report.updated,
        "source_srs": report.source_srs,
        "epsg": epsg,
        "source_crs": report.source_crs,
        "make_valid": make_valid,
        "preview": {"type": "FeatureCollection", "features": features},
    }


def preview_run(upload_id: str, run: int) -> str:
    """Task body: read the file as a dry run and keep the preview."""
    upload = (
        BoundaryUpload.objects.select_related("created_by")
        .filter(pk=upload_id, run=run, status=Status.PARSING)
        .first()
    )
    if upload is None:
        return "stale"
    fields: dict = {"error": None, "result": None}
    try:
        report, epsg = _read(upload, dry_run=True)
        fields.update(
            status=Status.READY,
            result=preview_of(report, epsg=epsg, make_valid=upload.make_valid),
        )
    except Exception as exc:  # a bad file ends as a refusal, never a stuck upload
        fields.update(status=Status.FAILED, error=_refusal(exc))
    done = BoundaryUpload.objects.filter(pk=upload_id, run=run, status=Status.PARSING).update(
        updated_at=timezone.now(), **fields
    )
    return fields["status"] if done else "stale"


def apply_run(upload_id: str, run: int) -> str:
    """Task body: import for real, all or nothing, in the transaction that records it."""
    with transaction.atomic():
        upload = (
            BoundaryUpload.objects.select_for_update()
            .select_related("created_by")
            .filter(pk=upload_id, run=run, status=Status.APPLYING)
            .first()
        )
        if upload is None:
            return "stale"
        try:
            report, epsg = _read(upload, dry_run=False)
        except Exception as exc:  # as in preview_run
            upload.status, upload.error = Status.FAILED, _refusal(exc)
            upload.save()
            return upload.status
        upload.result = preview_of(report, epsg=epsg, make_valid=upload.make_valid)
        if report.ok:
            upload.status, upload.applied_at = Status.APPLIED, timezone.now()
        else:  # the data changed since the preview: nothing saved, the new refusals shown
            upload.status = Status.READY
        upload.save()
        return upload.status
