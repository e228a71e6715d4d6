"""The case state machine: one table. Each action lists the states it starts from, the state it
leads to (None: it records something and the state stays), who may take it and what it must
carry; `case_act` is the only function that runs them.

    consulting ─accept─▶ accepted ─forward─▶ forwarded ─receive─▶ at_window ─result_ready─▶
    result_ready ─collect─▶ collected ─return─▶ returned ─close─▶ closed
    consulting/awaiting_papers ─review (papers missing)─▶ awaiting_papers ─review─▶ consulting
    consulting/awaiting_papers ─decline (reason)─▶ declined
    at_window ─refuse (reason)─▶ refused ─collect─▶ collected   (the reason goes back)

Actions need not carry If-Match: the table guards them, and a phone replaying a queue of
offline actions must not fail on versions its own earlier actions bumped (a stale If-Match is
ignored). An action that names `expected_version` in its body (the desk: staff acting on the
matter as they read it) is refused with 412 when the case changed since, like an edit.
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, Conflict, NotFound
from core.transitions import guard
from notifications.services import notify, notify_resident
from people.models import Role, Staff
from people.scope import scope_for
from people.selectors import hand_over_choices

from . import deadlines, register, rules
from .access import handles, handles_or_window, window_side
from .events import record_event
from .models import (
    OPEN,
    RUNNING,
    Case,
    CustodyTransfer,
    Fee,
    Holder,
    Original,
    RegisterEntry,
    Status,
)
from .outbound import outbound

PRE_REVIEW = frozenset({Status.CONSULTING, Status.AWAITING_PAPERS})
REGISTERED = frozenset({*RUNNING, Status.RETURNED, Status.CLOSED})


@dataclass(frozen=True)
class Action:
    from_states: frozenset[str]
    to: str | None
    who: Callable[[object, Case], bool]
    run: Callable[..., dict]
    needs: tuple[str, ...] = ()


@dataclass
class Step:
    case: Case
    actor: object
    payload: dict
    now: datetime
    position: object


# --- what each action does ----------------------------------------------------------------


def apply_review(case: Case, *, actor, checklist: dict, note: str, position) -> dict:
    """Pre-review: record the checklist. Anything missing → awaiting_papers, and the applicant
    gets the one-time notification of exactly what is missing."""
    previous = case.status
    case.checklist = checklist
    missing = rules.missing_of(checklist)
    case.status = Status.AWAITING_PAPERS if missing else Status.CONSULTING
    case.version += 1
    case.save()
    names = [m["name"] for m in case.item_version.materials if m["key"] in missing]
    record_event(
        case,
        actor=actor,
        action="review",
        from_status=previous,
        note=note,
        data={"missing": missing},
        position=position,
    )
    if missing:
        notify_resident(
            phone=case.applicant_phone,
            kind="papers_missing",
            title=lambda: _("%(item)s: papers missing") % {"item": case.item_version.name},
            body=lambda: (
                _("Please bring, all at once: %(names)s. Tracking code %(code)s.")
                % {"names": "、".join(names), "code": case.tracking_code}
            ),
            data={"case": case.tracking_code, "missing": missing},
        )
    return {"missing": missing}


def _review(step: Step) -> dict:
    checklist = rules.check_checklist(step.case.item_version, step.payload.get("checklist"))
    return apply_review(
        step.case,
        actor=step.actor,
        checklist=checklist,
        note=step.payload.get("note", ""),
        position=step.position,
    )


def register_content(case: Case, *, note: str = "") -> dict:
    """What the paper register records for a case, as of now (with personal data masked)."""
    version = case.item_version
    names = {m["key"]: m["name"] for m in version.materials}
    phone = case.applicant_phone
    agent = case.responsible
    street = register.street_centre_of(case.centre)
    return {
        "tracking_code": case.tracking_code,
        "station": {"code": case.centre.area.code, "name": case.centre.name},
        "street_centre": {"code": street.area.code, "name": street.name},
        "applicant": {
            "name": case.applicant_name,
            "phone": phone[:3] + "****" + phone[-4:],
            "resident_id": case.resident_id_masked,
        },
        "address": case.address,
        "item": {
            "code": case.service_item.code,
            "version": version.version,
            "name": version.name,
            "department": version.department,
            "window": str(case.window) if case.window_id else "",
        },
        "materials": [{"key": k, "name": names[k], "status": v} for k, v in case.checklist.items()],
        "originals": [{"name": o.name} for o in case.originals.all()],
        "fees": [{"name": f.name, "amount": str(f.amount)} for f in case.fees.all()],
        "accepted_at": timezone.localtime(case.accepted_at).isoformat(),
        "due_date": case.due_date.isoformat(),
        "due_provisional": case.due_provisional,
        "agent": {"name": agent.full_name, "phone": agent.phone},
        "note": note,
    }


def _accept(step: Step) -> dict:
    case, payload = step.case, step.payload
    if payload.get("checklist") is not None:
        case.checklist = rules.check_checklist(case.item_version, payload["checklist"])
    if not case.checklist:
        raise ApplicationError(
            "checklist_required",
            _("Pre-review first: mark each material provided, missing or not applicable."),
            details={"field": "checklist"},
        )
    missing = rules.missing_of(case.checklist)
    if missing:
        raise Conflict(
            "papers_missing",
            _("All required materials must be present to accept; missing: %(keys)s.")
            % {"keys": ", ".join(missing)},
            details={"missing": missing},
        )
    originals = payload.get("originals") or []
    if not isinstance(originals, list) or not all(
        isinstance(o, dict) and str(o.get("name", "")).strip() for o in originals
    ):
        raise ApplicationError(
            "invalid_originals",
            _("Originals are a list of {name, material_key}."),
            details={"field": "originals"},
        )
    case.accepted_at = step.now
    due = deadlines.due_date(step.now, case.item_version.proxy_limit_days)
    case.due_date, case.due_provisional = due.value, due.provisional
    case.return_code = f"{secrets.randbelow(10**6):06d}"
    case.save()
    for o in originals:
        _take_original(case, step, name=o["name"], key=o.get("material_key", ""))
    entry = register.append(
        case,
        kind=RegisterEntry.Kind.ACCEPTANCE,
        content=register_content(case, note=payload.get("note", "")),
        actor=step.actor,
        now=step.now,
    )
    notify_resident(
        phone=case.applicant_phone,
        kind="case_accepted",
        title=lambda: _("%(item)s accepted") % {"item": case.item_version.name},
        body=lambda: (
            _("Register no. %(number)s, to be completed by %(due)s. Tracking code %(code)s.")
            % {"number": entry.number, "due": case.due_date.isoformat(), "code": case.tracking_code}
        ),
        data={"case": case.tracking_code},
    )
    return {
        "register_entry": entry.pk,
        "number": entry.number,
        "due_date": case.due_date.isoformat(),
        "due_provisional": case.due_provisional,
    }


def _decline(step: Step) -> dict:
    case = step.case
    case.decline_reason = step.payload["reason"].strip()
    notify_resident(
        phone=case.applicant_phone,
        kind="case_declined",
        title=lambda: _("%(item)s cannot be proxied") % {"item": case.item_version.name},
        body=case.decline_reason,
        data={"case": case.tracking_code},
    )
    return {}


def _forward(step: Step) -> dict:
    return {"outbound": outbound().forward(step.case, note=step.payload.get("note", ""))}


def _nothing(step: Step) -> dict:
    return {}


def _result_ready(step: Step) -> dict:
    case = step.case
    notify(
        user=case.responsible.user,
        kind="case_result_ready",
        title=lambda: _("Result ready: %(code)s") % {"code": case.tracking_code},
        body=lambda: (
            _("%(item)s: please collect the result at %(window)s.")
            % {"item": case.item_version.name, "window": case.window or _("the window")}
        ),
        data={"case": case.pk},
    )
    return {}


def _refuse(step: Step) -> dict:
    case = step.case
    case.refusal_reason = step.payload["reason"].strip()
    notify(
        user=case.responsible.user,
        kind="case_refused",
        title=lambda: _("Refused by the department: %(code)s") % {"code": case.tracking_code},
        body=case.refusal_reason,
        data={"case": case.pk},
    )
    notify_resident(
        phone=case.applicant_phone,
        kind="case_refused",
        title=lambda: _("%(item)s was not approved") % {"item": case.item_version.name},
        body=lambda: _("The department's reason: %(reason)s") % {"reason": case.refusal_reason},
        data={"case": case.tracking_code},
    )
    return {"reason": case.refusal_reason}


SIGNATURE_TYPES = {
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
}


def _store_signature(case: Case, upload) -> str:
    from django.conf import settings

    limit = settings.CASES["SIGNATURE_MAX_BYTES"]
    if upload.size > limit:
        raise ApplicationError(
            "file_too_large",
            _("The signature photo is larger than %(limit)d bytes.") % {"limit": limit},
            details={"field": "signature", "limit": limit},
        )
    head = upload.read(8)
    upload.seek(0)
    kind = next((v for magic, v in SIGNATURE_TYPES.items() if head.startswith(magic)), None)
    if kind is None:
        raise ApplicationError(
            "unsupported_file_type",
            _("A signature photo must be a JPEG or PNG image."),
            details={"field": "signature"},
        )
    name = f"signatures/{case.tracking_code}-{secrets.token_hex(4)}.{kind[1]}"
    return default_storage.save(name, upload)


def _return(step: Step) -> dict:
    """Back to the applicant, confirmed by the code on their copy of the receipt or a signature
    photo. A refusal's reason goes back with it."""
    case, payload = step.case, step.payload
    code = unicodedata.normalize("NFKC", str(payload.get("return_code") or "")).strip()
    signature = payload.get("signature")
    if not code and signature is None:
        raise ApplicationError(
            "return_unconfirmed",
            _(
                "Confirm the return with the code on the applicant's receipt or a photo of "
                "their signature."
            ),
            details={"field": "return_code"},
        )
    data: dict = {}
    if code:
        if not hmac.compare_digest(code.encode(), case.return_code.encode()):
            raise ApplicationError(
                "wrong_return_code",
                _("That is not the code on the applicant's copy of the receipt."),
                details={"field": "return_code"},
            )
        data["confirmed_by"] = "return_code"
    else:
        data["confirmed_by"] = "signature"
        data["signature"] = _store_signature(case, signature)
    case.returned_at = step.now
    if case.refusal_reason:
        data["refusal_reason"] = case.refusal_reason
    return data


def _close(step: Step) -> dict:
    case = step.case
    out = list(case.originals.exclude(holder=Holder.RESIDENT).values("id", "name", "holder"))
    if out:
        raise Conflict(
            "originals_outstanding",
            _("An original is still out: %(names)s. Return it to the applicant first.")
            % {"names": "、".join(o["name"] for o in out)},
            details={"originals": out},
        )
    case.rating, case.rating_comment = rules.check_rating(
        step.payload.get("rating"), step.payload.get("comment")
    )
    case.closed_at = step.now
    return {"rating": case.rating}


def _hand_over(step: Step) -> dict:
    """首问负责 moves only by this explicit hand-over."""
    case = step.case
    target = (
        scope_for(step.actor)
        .staff_members(Staff.objects.filter(active=True))
        .filter(pk=step.payload.get("to"))
        .first()
    )
    if target is None or not target.has_role(Role.AGENT, Role.CENTRE_STAFF):
        raise ApplicationError("unknown_agent", _("No such active agent."), details={"field": "to"})
    if target.pk == case.responsible_id:
        raise ApplicationError(
            "same_agent", _("The case is already with %(name)s.") % {"name": target.full_name}
        )
    previous = case.responsible
    case.responsible = target
    notify(
        user=target.user,
        kind="case_handed_over",
        title=lambda: _("Case %(code)s handed to you") % {"code": case.tracking_code},
        body=step.payload.get("note", ""),
        data={"case": case.pk},
    )
    return {"from": previous.pk, "to": target.pk}


def _take_original(case: Case, step: Step, *, name: str, key: str = "", to=Holder.AGENT):
    original = Original.objects.create(
        case=case, name=name.strip()[:100], material_key=key[:40], holder=to, taken_at=step.now
    )
    CustodyTransfer.objects.create(
        original=original,
        from_holder=Holder.RESIDENT,
        to_holder=to,
        person=step.payload.get("person", "")[:50],
        at=step.now,
        actor=step.actor,
    )
    return original


def _custody(step: Step) -> dict:
    """An original changes hands: resident → agent → centre → window → … → back."""
    case, payload = step.case, step.payload
    to = payload.get("holder") or ""
    if payload.get("original") is None:
        if not str(payload.get("name") or "").strip():
            raise ApplicationError(
                "missing_original",
                _("Name the original taken, or give the id of one already recorded."),
                details={"field": "original"},
            )
        to = to or Holder.AGENT
        rules.check_custody_move(Holder.RESIDENT, to)
        original = _take_original(
            case, step, name=payload["name"], key=payload.get("material_key", ""), to=to
        )
        return {"original": original.pk, "from": Holder.RESIDENT, "to": to}
    original = (
        Original.objects.select_for_update().filter(case=case, pk=payload["original"]).first()
    )
    if original is None:
        raise NotFound("unknown_original", _("The case has no such original."))
    rules.check_custody_move(original.holder, to)
    CustodyTransfer.objects.create(
        original=original,
        from_holder=original.holder,
        to_holder=to,
        person=str(payload.get("person") or "")[:50],
        at=step.now,
        actor=step.actor,
    )
    moved_from, original.holder = original.holder, to
    original.save(update_fields=["holder"])
    return {"original": original.pk, "from": moved_from, "to": to}


def _fee(step: Step) -> dict:
    name, amount, basis = rules.check_fee(
        step.case.item_version, step.payload.get("name"), step.payload.get("amount")
    )
    fee = Fee.objects.create(
        case=step.case, name=name, amount=amount, legal_basis=basis, recorded_by=step.actor
    )
    return {"fee": fee.pk, "name": name, "amount": str(amount)}


CORRECTABLE = ("applicant_name", "address", "note")


def _correct(step: Step) -> dict:
    """A register correction: a new entry pointing at the latest one, never an edit."""
    case, payload = step.case, step.payload
    fields = payload.get("fields")
    if not isinstance(fields, dict) or not fields or set(fields) - set(CORRECTABLE):
        raise ApplicationError(
            "invalid_correction",
            _("A correction changes some of: %(fields)s.") % {"fields": ", ".join(CORRECTABLE)},
            details={"field": "fields"},
        )
    latest = case.register_entries.order_by("-created_at", "-pk").first()
    for key in ("applicant_name", "address"):
        if key in fields:
            if not str(fields[key]).strip():
                raise ApplicationError(
                    "invalid_correction", _("%(field)s cannot be empty.") % {"field": key}
                )
            setattr(case, key, str(fields[key]).strip())
    content = {
        **register_content(case, note=str(fields.get("note", latest.content.get("note", "")))),
        "correction_reason": payload["reason"].strip(),
    }
    entry = register.append(
        case,
        kind=RegisterEntry.Kind.CORRECTION,
        content=content,
        actor=step.actor,
        now=step.now,
        corrects=latest,
    )
    return {"register_entry": entry.pk, "number": entry.number, "corrects": latest.number}


ACTIONS: dict[str, Action] = {
    "review": Action(PRE_REVIEW, None, handles, _review, needs=("checklist",)),
    "accept": Action(PRE_REVIEW, Status.ACCEPTED, handles, _accept),
    "decline": Action(PRE_REVIEW, Status.DECLINED, handles, _decline, needs=("reason",)),
    "forward": Action(frozenset({Status.ACCEPTED}), Status.FORWARDED, handles, _forward),
    "receive": Action(frozenset({Status.FORWARDED}), Status.AT_WINDOW, window_side, _nothing),
    "result_ready": Action(
        frozenset({Status.AT_WINDOW}), Status.RESULT_READY, window_side, _result_ready
    ),
    "refuse": Action(
        frozenset({Status.AT_WINDOW}), Status.REFUSED, window_side, _refuse, needs=("reason",)
    ),
    "collect": Action(
        frozenset({Status.RESULT_READY, Status.REFUSED}), Status.COLLECTED, handles, _nothing
    ),
    "return": Action(frozenset({Status.COLLECTED}), Status.RETURNED, handles, _return),
    "close": Action(frozenset({Status.RETURNED}), Status.CLOSED, handles, _close),
    "hand_over": Action(frozenset(OPEN), None, handles, _hand_over, needs=("to",)),
    "custody": Action(frozenset(OPEN), None, handles_or_window, _custody),
    "fee": Action(frozenset(RUNNING), None, handles, _fee, needs=("name", "amount")),
    "correct": Action(REGISTERED, None, handles, _correct, needs=("reason",)),
}


def actions_offered(actor, case: Case) -> list[dict]:
    """What `actor` may do to `case` now, read off the table (from-states and `who`), with the
    fields each needs and, where the app must pick, the choices: the field app offers exactly
    these and keeps no copy of the state machine."""
    if actor is None or not actor.is_authenticated:
        return []
    offered = []
    for name, spec in ACTIONS.items():
        if case.status not in spec.from_states or not spec.who(actor, case):
            continue
        offer: dict = {"action": name, "needs": list(spec.needs)}
        if name in ("review", "accept"):
            materials = [{"key": m["key"], "name": m["name"]} for m in case.item_version.materials]
            offer["choices"] = {"checklist": materials}
        elif name == "hand_over":
            offer["choices"] = {
                "to": hand_over_choices(
                    actor, centre_id=case.centre_id, exclude=case.responsible_id
                )
            }
        offered.append(offer)
    return offered


@transaction.atomic
def case_act(
    *,
    actor,
    case_id: int,
    action: str,
    payload: dict,
    position=None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> Case:
    from .selectors import cases_for

    now = now or timezone.now()
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound(
            "unknown_action",
            _("No action %(action)s.") % {"action": action},
            details={"allowed": sorted(ACTIONS)},
        )
    case = (
        cases_for(actor)
        .select_for_update(of=("self",))
        .select_related("centre__area", "item_version", "window", "responsible__user")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("unknown_case", _("No such case."))
    if expected_version is not None and expected_version != case.version:
        raise ApplicationError(
            "stale_version",
            _("The case changed since you read it (now version %(v)d).") % {"v": case.version},
            details={"version": case.version, "status": case.status},
            status=412,
        )
    guard(
        action=action,
        status=case.status,
        from_states=spec.from_states,
        allowed=lambda: spec.who(actor, case),
        needs=spec.needs,
        payload=payload,
        illegal=_("Cannot %(action)s a case that is %(status)s.")
        % {"action": action, "status": case.status},
        denied=_("You may not %(action)s this case.") % {"action": action},
    )
    if action == "review":  # decides its own state and event
        _review(Step(case, actor, payload, now, position))
        return case
    previous = case.status
    data = spec.run(Step(case, actor, payload, now, position))
    if spec.to is not None:
        case.status = spec.to
    case.version += 1
    case.save()
    record_event(
        case,
        actor=actor,
        action=action,
        from_status=previous,
        note=str(payload.get("reason") or payload.get("note") or ""),
        data=data,
        position=position,
    )
    return case
