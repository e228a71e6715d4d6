"""Supervision writes: assessment schemes (define, publish), notice rules, the review of
notices (issue, dismiss), inspections and their photos. Each checks who may, validates, and
writes in one transaction. The proposal of notices is in `supervision.notices`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attachments import images
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from people.scope import scope_for

from . import checklist
from .access import may_inspect, require_definer, visible_centre
from .assessment import next_version
from .figures import FIGURES_BY_KEY
from .models import (
    AssessmentScheme,
    Comparison,
    Indicator,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Level,
    Notice,
    NoticeRule,
    PeriodKind,
)
from .selectors import visible_inspection, visible_notice

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
RESERVED_CODES = {"schemes"}
CHECK_LEVELS = (Level.COMMUNITY, Level.STREET)  # built-in checks look at centres
MAX_NUMBER = Decimal(10**9)  # thresholds, targets and bands (the columns hold 12 digits)


def _bad(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details)


def _choice(value, choices, code: str, field: str) -> str:
    if value not in choices.values:
        raise _bad(
            code,
            _("%(field)s must be one of: %(allowed)s.")
            % {"field": field, "allowed": ", ".join(choices.values)},
            field=field,
            allowed=list(choices.values),
        )
    return value


def _decimal(value, code: str, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if (
        number is None
        or not number.is_finite()
        or abs(number) >= MAX_NUMBER
        or value is None
        or isinstance(value, bool)
    ):
        raise _bad(code, _("%(field)s must be a number.") % {"field": field}, field=field)
    return number.quantize(Decimal("0.01"))


def _figure(key, level: str, field: str) -> str:
    figure = FIGURES_BY_KEY.get(key)
    if figure is None or level not in figure.levels:
        raise _bad(
            "unknown_figure",
            _("No figure %(key)r at the %(level)s level.") % {"key": key, "level": level},
            field=field,
            allowed=[f.key for f in FIGURES_BY_KEY.values() if level in f.levels],
        )
    return key


# --- assessment schemes ------------------------------------------------------------------------


def _lock_code(code: str) -> None:
    """Serialise writes to the versions of one scheme code until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"supervision.scheme:{code}"])


def _indicator(raw: dict, level: str, position: int) -> Indicator:
    where = f"indicators[{position}]"
    if not isinstance(raw, dict):
        raise _bad("invalid_indicator", _("Each indicator is an object."), field=where)
    figure = _figure(raw.get("figure"), level, f"{where}.figure")
    weight = _decimal(raw.get("weight"), "invalid_weight", f"{where}.weight")
    if weight <= 0 or weight >= 10_000:
        raise _bad("invalid_weight", _("A weight is a positive number."), field=f"{where}.weight")
    direction = _choice(
        raw.get("direction"), Indicator.Direction, "invalid_direction", f"{where}.direction"
    )
    method = _choice(raw.get("method"), Indicator.Method, "invalid_method", f"{where}.method")
    missing = raw.get("missing_score", 0)
    missing = _decimal(missing, "invalid_missing_score", f"{where}.missing_score")
    if not 0 <= missing <= 100:
        raise _bad(
            "invalid_missing_score",
            _("The score for a missing value lies between 0 and 100."),
            field=f"{where}.missing_score",
        )
    indicator = Indicator(
        position=position,
        figure=figure,
        weight=weight,
        direction=direction,
        method=method,
        missing_score=missing,
    )
    if method == Indicator.Method.TARGET:
        indicator.target = _decimal(raw.get("target"), "invalid_target", f"{where}.target")
        if indicator.target <= 0:
            raise _bad(
                "invalid_target", _("A target is a positive number."), field=f"{where}.target"
            )
    else:
        best = _decimal(raw.get("best"), "invalid_band", f"{where}.best")
        worst = _decimal(raw.get("worst"), "invalid_band", f"{where}.worst")
        if (direction == Indicator.Direction.HIGHER) != (best > worst) or best == worst:
            raise _bad(
                "invalid_band",
                _(
                    "The best value must lie above the worst when higher is better, below it "
                    "when lower is better."
                ),
                field=f"{where}.best",
            )
        indicator.best, indicator.worst = best, worst
    return indicator


@transaction.atomic
def scheme_create(
    *,
    actor,
    code: str,
    name: str,
    level: str,
    period_kind: str,
    indicators: list[dict],
    note: str = "",
) -> AssessmentScheme:
    """A new version of a scheme (version 1 for a new code), as a draft: previewed with
    `?version=`, frozen and made active by `scheme_publish`."""
    require_definer(actor, _("define assessment schemes"))
    code = str(code or "").strip().lower()
    if not CODE_RE.match(code) or code in RESERVED_CODES:
        raise _bad(
            "invalid_code",
            _("A scheme code is 1–40 lowercase letters, digits, - or _."),
            field="code",
        )
    if not str(name or "").strip():
        raise _bad("name_required", _("The scheme needs a name."), field="name")
    _choice(level, Level, "invalid_level", "level")
    _choice(period_kind, PeriodKind, "invalid_period_kind", "period_kind")
    if not isinstance(indicators, list) or not indicators:
        raise _bad(
            "indicators_required", _("A scheme needs at least one indicator."), field="indicators"
        )
    rows = [_indicator(raw, level, i) for i, raw in enumerate(indicators)]
    seen = [row.figure for row in rows]
    if len(set(seen)) != len(seen):
        raise _bad(
            "duplicate_figure", _("Each figure appears once in a scheme."), field="indicators"
        )
    _lock_code(code)  # versions are numbered one after another, also under concurrent requests
    scheme = AssessmentScheme.objects.create(
        code=code,
        name=name.strip(),
        version=next_version(code),
        level=level,
        period_kind=period_kind,
        note=str(note or "").strip(),
        created_by=actor,
    )
    for row in rows:
        row.scheme = scheme
    Indicator.objects.bulk_create(rows)
    return scheme


@transaction.atomic
def scheme_publish(*, actor, scheme_id: int, now: datetime | None = None) -> AssessmentScheme:
    """Freeze a draft and make it its code's active version (the previous one stays, frozen,
    for the periods it was used for)."""
    require_definer(actor, _("publish assessment schemes"))
    scheme = AssessmentScheme.objects.select_for_update().filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound("unknown_scheme", _("No such assessment scheme."))
    _lock_code(scheme.code)  # two versions published at once: one active afterwards
    if scheme.published_at is not None:
        raise Conflict(
            "already_published",
            _("This version is published already; changes make a new version."),
        )
    AssessmentScheme.objects.filter(code=scheme.code, active=True).update(active=False)
    scheme.published_at = now or timezone.now()
    scheme.active = True
    scheme.save(update_fields=["published_at", "active"])
    return scheme


# --- notice rules and the review of notices -----------------------------------------------------


@transaction.atomic
def notice_rule_create(
    *,
    actor,
    name: str,
    kind: str,
    level: str,
    period_kind: str,
    comparison: str = Comparison.GT,
    threshold=0,
    figure: str = "",
) -> NoticeRule:
    """A rule that proposes notices: a figure compared with a threshold, or a built-in check
    (working days without desk cover, grids without a primary agent) whose count is compared
    (by default: above 0)."""
    require_definer(actor, _("define notice rules"))
    if not str(name or "").strip():
        raise _bad("name_required", _("The rule needs a name."), field="name")
    _choice(kind, NoticeRule.Kind, "invalid_kind", "kind")
    _choice(level, Level, "invalid_level", "level")
    _choice(period_kind, PeriodKind, "invalid_period_kind", "period_kind")
    _choice(comparison, Comparison, "invalid_comparison", "comparison")
    threshold = _decimal(threshold, "invalid_threshold", "threshold")
    if kind == NoticeRule.Kind.FIGURE:
        _figure(figure, level, "figure")
    else:
        figure = ""
        if level not in CHECK_LEVELS:
            raise _bad(
                "invalid_level",
                _("This check looks at stations and street/town centres (community or street)."),
                field="level",
                allowed=list(CHECK_LEVELS),
            )
    return NoticeRule.objects.create(
        name=name.strip(),
        kind=kind,
        figure=figure,
        comparison=comparison,
        threshold=threshold,
        level=level,
        period_kind=period_kind,
        created_by=actor,
    )


def _reviewable(actor, notice_id: int, what: str) -> Notice:
    visible_notice(actor, notice_id)  # out of reach: 404 before anything else
    require_definer(actor, what)
    notice = Notice.objects.select_for_update().get(pk=notice_id)
    if notice.status != Notice.Status.PROPOSED:
        raise Conflict(
            "illegal_transition",
            _("This notice is %(status)s already.") % {"status": notice.status},
            details={"status": notice.status},
        )
    return notice


@transaction.atomic
def notice_issue(
    *, actor, notice_id: int, public_text: str = "", note: str = "", now: datetime | None = None
) -> Notice:
    """Issue a proposed notice (通报): from now on it is public. The reviewer may reword the
    public text (units only, never a person)."""
    notice = _reviewable(actor, notice_id, _("issue notices"))
    if str(public_text or "").strip():
        notice.public_text = public_text.strip()
    notice.status = Notice.Status.ISSUED
    notice.reviewed_by = actor
    notice.reviewed_at = now or timezone.now()
    notice.review_note = str(note or "").strip()
    notice.save()
    return notice


@transaction.atomic
def notice_dismiss(*, actor, notice_id: int, reason: str, now: datetime | None = None) -> Notice:
    """Dismiss a proposed notice, with the reason (kept; the rule does not propose it again)."""
    notice = _reviewable(actor, notice_id, _("dismiss notices"))
    if not str(reason or "").strip():
        raise _bad("reason_required", _("Say why the notice is dismissed."), field="reason")
    notice.status = Notice.Status.DISMISSED
    notice.reviewed_by = actor
    notice.reviewed_at = now or timezone.now()
    notice.review_note = reason.strip()
    notice.save()
    return notice


# --- inspections -----------------------------------------------------------------------------


def _scores(items) -> list[InspectionItem]:
    if not isinstance(items, dict):
        raise _bad(
            "invalid_items",
            _("Items are an object: {item key: {score, note}}."),
            field="items",
        )
    unknown = sorted(set(items) - set(checklist.ITEMS_BY_KEY))
    if unknown:
        raise _bad(
            "unknown_items",
            _("Not on the checklist: %(keys)s.") % {"keys": ", ".join(unknown)},
            field="items",
            unknown=unknown,
        )
    missing = [item.key for item in checklist.ITEMS if item.key not in items]
    if missing:
        raise _bad(
            "missing_items",
            _("Every checklist item is scored; missing: %(keys)s.") % {"keys": ", ".join(missing)},
            field="items",
            missing=missing,
        )
    rows = []
    for position, item in enumerate(checklist.ITEMS):
        given = items[item.key]
        given = given if isinstance(given, dict) else {"score": given}
        score = given.get("score")
        if (
            isinstance(score, bool)
            or not isinstance(score, int)
            or not 0 <= score <= item.max_score
        ):
            raise _bad(
                "invalid_score",
                _("The score of %(key)s is a whole number from 0 to %(max)d.")
                % {"key": item.key, "max": item.max_score},
                field=f"items.{item.key}.score",
                max_score=item.max_score,
            )
        note = str(given.get("note") or "").strip()
        if len(note) > 500:
            raise _bad(
                "note_too_long", _("A note has at most 500 characters."), field=f"items.{item.key}"
            )
        rows.append(
            InspectionItem(
                position=position,
                key=item.key,
                label=item.label,
                max_score=item.max_score,
                score=score,
                note=note,
            )
        )
    return rows


@transaction.atomic
def inspection_record(
    *,
    actor,
    centre_code: str,
    day: date,
    items: dict,
    findings: str = "",
    today: date | None = None,
) -> Inspection:
    """督导检查: one visit to a street/town centre or station, every checklist item scored."""
    centre = visible_centre(actor, centre_code)
    if not may_inspect(actor, centre):
        raise PermissionDenied(
            "permission_denied", _("You may not record inspections of this centre.")
        )
    today = today or timezone.localdate()
    if day > today:
        raise _bad("invalid_date", _("An inspection cannot be dated in the future."), field="date")
    rows = _scores(items)
    inspector = scope_for(actor).staff
    if inspector is None:
        raise PermissionDenied(
            "permission_denied", _("Inspections are recorded by staff with a profile.")
        )
    inspection = Inspection.objects.create(
        centre=centre,
        inspector=inspector,
        date=day,
        checklist_version=checklist.VERSION,
        total=sum(row.score for row in rows),
        max_total=sum(row.max_score for row in rows),
        findings=str(findings or "").strip(),
        created_by=actor,
    )
    for row in rows:
        row.inspection = inspection
    InspectionItem.objects.bulk_create(rows)
    return inspection


@dataclass
class Photo:
    file: UploadedFile
    note: str = ""


def photo_too_large(limit: int, size: int | None = None) -> ApplicationError:
    return ApplicationError(
        "file_too_large",
        _("The file is larger than %(limit)d bytes.") % {"limit": limit},
        details={"field": "file", "limit": limit, "size": size},
        status=413,
    )


def inspection_photo_add(
    *, actor, inspection_id: int, photo: Photo, now: datetime | None = None
) -> InspectionPhoto:
    """A photo of what the inspection found: the inspector, or whoever may inspect the
    centre. Recognised from its bytes (JPEG, PNG, HEIC), stored as a clean copy (upright, no
    EXIF or GPS) through the default storage — the attachments app's image helpers."""
    inspection = visible_inspection(actor, inspection_id)
    if inspection.created_by_id != actor.pk and not may_inspect(actor, inspection.centre):
        raise PermissionDenied("permission_denied", _("You may not add photos to this inspection."))
    limit = settings.SUPERVISION["PHOTO_MAX_BYTES"]
    upload = photo.file
    if upload.size is None or upload.size > limit:
        raise photo_too_large(limit, upload.size)
    upload.seek(0)
    content_type = images.sniff(upload.read(images.SNIFF_BYTES))
    upload.seek(0)
    if content_type is None:
        raise _bad(
            "unsupported_file_type",
            _("Only photos are accepted: JPEG, PNG or HEIC."),
            field="file",
        )
    clean = images.clean_copy(
        upload,
        content_type,
        max_pixels=settings.SUPERVISION["PHOTO_MAX_PIXELS"],
        jpeg_quality=settings.SUPERVISION["PHOTO_JPEG_QUALITY"],
    )
    row = InspectionPhoto(
        inspection=inspection,
        content_type=clean.content_type,
        size=len(clean.data),
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(clean.data).hexdigest(),
        note=str(photo.note or "").strip()[:200],
        uploaded_by=actor,
        uploaded_at=now or timezone.now(),
    )
    row.file.save(f"photo.{clean.extension}", ContentFile(clean.data), save=False)
    try:
        with transaction.atomic():
            row.save()
    except BaseException:
        row.file.storage.delete(row.file.name)
        raise
    return row
