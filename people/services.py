"""Writes about people: profiles, assignments, desk cover, leave, positions, training.

Each takes the acting user, checks it may act (out of scope → 404, as if missing; in scope but
not allowed → 403) and refuses bad input with a stable code, changing nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.offline import fingerprint, reused
from core.validation import normalise_mobile
from geo.geometry import check_accuracy
from geo.models import Area, Grid, ServiceCentre
from geo.services import normalise_area_code

from .models import (
    DeskDay,
    DeskShift,
    GridAssignment,
    Leave,
    PositionReport,
    Role,
    Staff,
    Training,
)
from .scope import scope_for


def _require_manager_of_area(actor, area_id: int, what: str) -> None:
    scope = scope_for(actor)
    if not scope.sees_area(area_id) and not scope.manages_area(area_id):
        raise NotFound("not_found", _("No such %(what)s.") % {"what": what})
    if not scope.manages_area(area_id):
        raise PermissionDenied(
            "permission_denied", _("You may not change this %(what)s.") % {"what": what}
        )


def staff_visible(actor, staff_id: int) -> Staff:
    staff = (
        scope_for(actor)
        .staff_members(Staff.objects.select_related("centre__area", "user"))
        .filter(pk=staff_id)
        .first()
    )
    if staff is None:
        raise NotFound("unknown_staff", _("No such staff member."), details={"id": staff_id})
    return staff


def _no_centre(code: str) -> NotFound:
    return NotFound(
        "unknown_centre",
        _("No service centre with code %(code)s.") % {"code": code},
        details={"code": code},
    )


def _centre_area(code: str) -> Area | None:
    try:
        normalised = normalise_area_code(code)
    except ApplicationError:
        return None
    return (
        Area.objects.select_related("centre").filter(code=normalised, centre__isnull=False).first()
    )


def centre_area_get(code: str) -> Area:
    """The area (with its service centre) of a centre's division code, for anyone (the public
    board). A malformed code, a code no area has and an area without a centre answer the same
    404 `unknown_centre`."""
    area = _centre_area(code)
    if area is None:
        raise _no_centre(code)
    return area


def centre_area_visible(actor, code: str) -> Area:
    """`centre_area_get`, if the requester sees the centre's area: out of scope answers exactly
    as missing (same status, code, message and details)."""
    area = _centre_area(code)
    if area is None or not scope_for(actor).sees_area(area.pk):
        raise _no_centre(code)
    return area


def _require_manages_staff(actor, staff: Staff) -> None:
    if not scope_for(actor).manages_staff(staff):
        raise PermissionDenied(
            "permission_denied",
            _("You may not change %(name)s's records.") % {"name": staff.full_name},
        )


# --- profiles ---------------------------------------------------------------------------


@transaction.atomic
def staff_create(
    *,
    user,
    full_name: str,
    phone: str,
    roles: Sequence[str],
    centre: ServiceCentre | None,
    post: str = "",
    agent_type: str = "",
    public: bool = True,
) -> Staff:
    unknown = sorted(set(roles) - set(Role.values))
    if unknown or not roles:
        raise ApplicationError(
            "invalid_roles",
            _("Unknown or missing roles: %(roles)s.") % {"roles": ", ".join(unknown) or "-"},
        )
    phone = normalise_mobile(phone)
    if Staff.objects.filter(phone=phone).exists():
        raise Conflict("phone_taken", _("Another staff member has this phone number."))
    if Role.AGENT in roles and not agent_type:
        raise ApplicationError("agent_type_required", _("An agent needs an agent type."))
    return Staff.objects.create(
        user=user,
        full_name=full_name,
        phone=phone,
        roles=list(roles),
        centre=centre,
        post=post,
        agent_type=agent_type,
        public=public,
    )


def staff_set_language(*, actor, language: str) -> Staff:
    """The language the actor's messages are written in (their own choice, from /api/v1/me/
    or the field app's switch): one of settings.LANGUAGES, else 400 `unknown_language` and
    nothing changes. An account without a staff profile has none to set (404 `no_profile`)."""
    staff = scope_for(actor).staff
    if staff is None:
        raise NotFound("no_profile", _("This account has no staff profile."))
    allowed = [code for code, _name in settings.LANGUAGES]
    if language not in allowed:
        raise ApplicationError(
            "unknown_language",
            _("Unknown language %(language)s; choose one of: %(allowed)s.")
            % {"language": language or '""', "allowed": ", ".join(allowed)},
            details={"language": language, "allowed": allowed},
        )
    Staff.objects.filter(pk=staff.pk).update(language=language)
    staff.language = language
    return staff


# --- grid assignments -------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentInput:
    grid: Grid
    staff: Staff
    kind: str
    valid_from: date
    valid_to: date | None = None


def _check_assignment(actor, item: AssignmentInput) -> None:
    scope = scope_for(actor)
    if not scope.grids(Grid.objects.filter(pk=item.grid.pk)).exists():
        raise NotFound("unknown_grid", _("No grid with code %(code)s.") % {"code": item.grid.code})
    if not scope.manages_area(item.grid.community_id):
        raise PermissionDenied(
            "permission_denied",
            _("You may not assign agents in %(name)s.") % {"name": item.grid.community.name},
        )
    if not scope.staff_members(Staff.objects.filter(pk=item.staff.pk)).exists():
        raise NotFound("unknown_staff", _("No such staff member."))
    if item.kind not in GridAssignment.Kind.values:
        raise ApplicationError("invalid_kind", _("Kind must be primary or backup."))
    if not item.grid.active:
        raise Conflict("grid_retired", _("Grid %(code)s was retired.") % {"code": item.grid.code})
    if not item.staff.active or not item.staff.has_role(Role.AGENT):
        raise ApplicationError(
            "not_an_agent", _("%(name)s is not an active agent.") % {"name": item.staff.full_name}
        )
    if item.valid_to is not None and item.valid_to <= item.valid_from:
        raise ApplicationError("invalid_dates", _("The end date must come after the start date."))


def _insert_assignment(actor, item: AssignmentInput) -> GridAssignment:
    try:
        with transaction.atomic():
            return GridAssignment.objects.create(
                grid=item.grid,
                staff=item.staff,
                kind=item.kind,
                valid_from=item.valid_from,
                valid_to=item.valid_to,
                created_by=actor,
            )
    except IntegrityError as exc:
        if "assignment_one_primary_per_day" in str(exc):
            raise Conflict(
                "grid_has_primary",
                _("Grid %(code)s already has a primary agent in that period; end it first.")
                % {"code": item.grid.code},
                details={"grid": item.grid.code},
            ) from None
        if "assignment_no_double_booking" in str(exc):
            raise Conflict(
                "already_assigned",
                _("%(name)s is already assigned to grid %(code)s in that period.")
                % {"name": item.staff.full_name, "code": item.grid.code},
            ) from None
        raise


def _lock_grids(grids) -> None:
    """Serialise assignment writes per grid (in id order, so two writers never deadlock).

    The exclusion constraint alone keeps the data right, but two concurrent inserts that
    conflict can deadlock each other inside its check; with the row lock the second writer
    waits, then gets a clean `grid_has_primary`.
    """
    ids = sorted({g.pk for g in grids})
    list(
        Grid.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def assignment_create(*, actor, item: AssignmentInput) -> GridAssignment:
    """Assign an agent to a grid; history is kept (never overwritten)."""
    _check_assignment(actor, item)
    _lock_grids([item.grid])
    return _insert_assignment(actor, item)


@transaction.atomic
def assignments_bulk(*, actor, items: Sequence[AssignmentInput]) -> list[GridAssignment]:
    """Many assignments at once, all or nothing; the first refusal says which item."""
    created = []
    _lock_grids([item.grid for item in items])
    for index, item in enumerate(items):
        try:
            _check_assignment(actor, item)
            created.append(_insert_assignment(actor, item))
        except ApplicationError as exc:
            exc.details = {**exc.details, "item": index}
            raise
    return created


@transaction.atomic
def assignment_end(
    *, actor, assignment: GridAssignment, valid_to: date, reason: str = ""
) -> GridAssignment:
    assignment = (
        GridAssignment.objects.select_for_update()
        .select_related("grid__community")
        .get(pk=assignment.pk)
    )
    _require_manager_of_area(actor, assignment.grid.community_id, _("assignment"))
    if assignment.valid_to is not None and assignment.valid_to <= valid_to:
        raise Conflict("assignment_ended", _("This assignment has already ended."))
    if valid_to <= assignment.valid_from:
        raise ApplicationError("invalid_dates", _("The end date must come after the start date."))
    assignment.valid_to = valid_to
    assignment.ended_by = actor
    assignment.end_reason = reason[:200]
    assignment.save(update_fields=["valid_to", "ended_by", "end_reason"])
    return assignment


def grid_assignments_end(*, grids, on: date, actor, reason: str) -> int:
    """End every assignment of grids that leave service (geo edits call this through
    people.grid_hooks, authorised already): running ones end on `on`, later ones the day after
    they start (an assignment is at least one day). Returns how many were ended."""
    _lock_grids(grids)
    ended = 0
    rows = GridAssignment.objects.select_for_update().filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on), grid__in=[g.pk for g in grids]
    )
    for assignment in rows:
        assignment.valid_to = max(on, assignment.valid_from + timedelta(days=1))
        assignment.ended_by = actor
        assignment.end_reason = reason[:200]
        assignment.save(update_fields=["valid_to", "ended_by", "end_reason"])
        ended += 1
    return ended


# --- desk cover, leave, training --------------------------------------------------------


def _check_times(start: time, end: time) -> None:
    if end <= start:
        raise ApplicationError("invalid_times", _("The end time must come after the start time."))


@transaction.atomic
def shift_create(
    *, actor, centre: ServiceCentre, staff: Staff, day: date, start: time, end: time
) -> DeskShift:
    """A rota shift at the centre's acceptance desk."""
    _require_manager_of_area(actor, centre.area_id, _("centre"))
    _check_times(start, end)
    if staff.centre_id != centre.pk or not staff.active:
        raise ApplicationError(
            "not_centre_staff",
            _("%(name)s is not active staff of %(centre)s.")
            % {"name": staff.full_name, "centre": centre.name},
        )
    shift, created = DeskShift.objects.get_or_create(
        centre=centre, staff=staff, date=day, start=start, defaults={"end": end}
    )
    if not created:
        raise Conflict("shift_exists", _("This shift exists already."))
    return shift


@transaction.atomic
def desk_day_set(
    *, actor, centre: ServiceCentre, staff: Staff, weekday: int, start: time, end: time
) -> DeskDay:
    """Fixed weekly acceptance: who is at the desk on this weekday, and when."""
    _require_manager_of_area(actor, centre.area_id, _("centre"))
    _check_times(start, end)
    if not 1 <= weekday <= 7:
        raise ApplicationError(
            "invalid_weekday", _("The weekday must be 1 (Monday) to 7 (Sunday).")
        )
    if staff.centre_id != centre.pk:
        raise ApplicationError(
            "not_centre_staff",
            _("%(name)s is not active staff of %(centre)s.")
            % {"name": staff.full_name, "centre": centre.name},
        )
    _lock_staff(staff)
    same = DeskDay.objects.filter(
        centre=centre, staff=staff, weekday=weekday, start__lt=end, end__gt=start
    ).first()
    if same is not None:
        raise _duplicate_interval(same.pk, same.start, same.end)
    return DeskDay.objects.create(centre=centre, staff=staff, weekday=weekday, start=start, end=end)


def _lock_staff(staff: Staff) -> None:
    """Intervals of one person are checked and written one request at a time."""
    Staff.objects.select_for_update().filter(pk=staff.pk).first()


def _duplicate_interval(pk: int, start, end) -> Conflict:
    return Conflict(
        "duplicate_interval",
        _("This time overlaps one already recorded for the same person."),
        details={"existing": {"id": pk, "start": start.isoformat(), "end": end.isoformat()}},
    )


@transaction.atomic
def leave_create(*, actor, staff: Staff, start: datetime, end: datetime, reason: str = "") -> Leave:
    own = scope_for(actor).staff is not None and scope_for(actor).staff.pk == staff.pk
    if not own:
        _require_manages_staff(actor, staff)
    if end <= start:
        raise ApplicationError("invalid_dates", _("The leave must end after it starts."))
    _lock_staff(staff)
    same = Leave.objects.filter(staff=staff, start__lt=end, end__gt=start).first()
    if same is not None:
        raise _duplicate_interval(same.pk, same.start, same.end)
    return Leave.objects.create(
        staff=staff, start=start, end=end, reason=reason[:200], created_by=actor
    )


@transaction.atomic
def training_record(*, actor, staff: Staff, day: date, topic: str, trainer: str) -> Training:
    _require_manages_staff(actor, staff)
    if not topic.strip() or not trainer.strip():
        raise ApplicationError("invalid_training", _("A training needs a topic and a trainer."))
    return Training.objects.create(
        staff=staff, date=day, topic=topic, trainer=trainer, centre=staff.centre
    )


# --- positions --------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionInput:
    location: Point
    accuracy_m: float
    recorded_at: datetime
    client_uuid: uuid.UUID | None = None


@transaction.atomic
def positions_record(
    *, staff: Staff, reports: Sequence[PositionInput], now: datetime | None = None
) -> int:
    """Store a batch of positions (recorded offline, perhaps) and move the last known position
    forward if one of them is newer. Positions from the future are refused. A position whose
    client_uuid is already stored is not stored again (a replayed batch, concurrent ones
    included: ON CONFLICT DO NOTHING waits for the first to commit); the count returned is of
    the batch, stored now or before. A replayed position must be the one stored
    (`core.offline`'s rule)."""
    now = now or timezone.now()
    limit = settings.PEOPLE["POSITION_BATCH_MAX"]
    if not reports:
        raise ApplicationError("empty_batch", _("No positions were sent."))
    if len(reports) > limit:
        raise ApplicationError(
            "batch_too_large", _("At most %(limit)d positions per request.") % {"limit": limit}
        )
    for index, report in enumerate(reports):
        check_accuracy(report.accuracy_m, details={"item": index})
        if report.recorded_at > now + timedelta(minutes=5):
            raise ApplicationError(
                "recorded_in_future",
                _("A position cannot be recorded in the future."),
                details={"item": index},
            )
    PositionReport.objects.bulk_create(
        [
            PositionReport(
                staff=staff,
                client_uuid=r.client_uuid,
                location=r.location,
                accuracy_m=r.accuracy_m,
                recorded_at=r.recorded_at,
            )
            for r in reports
        ],
        ignore_conflicts=True,
    )
    _check_replayed_positions(staff, reports)
    newest = max(reports, key=lambda r: r.recorded_at)
    # one conditional UPDATE (it takes the row's lock itself): the last position moves only
    # forward, also when batches of one agent arrive concurrently
    Staff.objects.filter(
        Q(last_position_at__isnull=True) | Q(last_position_at__lt=newest.recorded_at),
        pk=staff.pk,
    ).update(
        last_position=newest.location,
        last_position_at=newest.recorded_at,
        last_position_accuracy_m=newest.accuracy_m,
    )
    return len(reports)


def _position_fingerprint(report) -> str:
    return fingerprint(
        {
            "location": report.location,
            "accuracy_m": float(report.accuracy_m),
            "recorded_at": report.recorded_at,
        }
    )


def _check_replayed_positions(staff: Staff, reports: Sequence[PositionInput]) -> None:
    """A client_uuid already stored answers only for the same position of the same agent: another
    agent's is `client_uuid_taken` (409), another position `client_uuid_reused` (422); either
    refuses the whole batch. Positions are never edited, so the stored fields are compared."""
    sent: dict[uuid.UUID, tuple[int, str]] = {}
    for index, report in enumerate(reports):
        if report.client_uuid is None:
            continue
        key = _position_fingerprint(report)
        if sent.setdefault(report.client_uuid, (index, key))[1] != key:
            raise reused(f"positions[{index}].client_uuid")
    if not sent:
        return
    for row in PositionReport.objects.filter(client_uuid__in=sent):
        index, key = sent[row.client_uuid]
        if row.staff_id != staff.pk:
            raise Conflict("client_uuid_taken", _("This client_uuid belongs to another position."))
        if _position_fingerprint(row) != key:
            raise reused(f"positions[{index}].client_uuid")


def positions_purge(*, now: datetime | None = None) -> int:
    """Delete positions older than the retention period (a scheduled task runs this daily)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PEOPLE["POSITION_RETENTION_DAYS"])
    deleted, _counts = PositionReport.objects.filter(recorded_at__lt=cutoff).delete()
    return deleted
