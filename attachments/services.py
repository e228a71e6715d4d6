"""Adding an attachment to a case or a visit: the one way in.

`attachment_upload` checks who may add to the subject, replays a repeat of the same
client_uuid, refuses what is too big or not a photo we can store, and stores only the clean
copy (attachments.images) through Django's default storage (the FileField's storage). A file
is written before its row; if the row cannot be written the file is removed again, so only a
crash between the two (or a caller's transaction rolled back afterwards) leaves an unreferenced
file behind — never served, since files are reached only through their row. Nothing here deletes one.

Order of the checks: the subject first (out of scope answers 404 whatever the file), then the
replay (a phone resending after a lost answer gets the first attachment back without the file
being decoded again: only its bytes are hashed for the replay fingerprint, `core.offline`), then
size, type and pixels — the cheap refusals before the decode.

Concurrent sends of one client_uuid: no lock is held over the decode; the row is inserted in a
savepoint and a send that collides on the unique client_uuid (it waited for the first to commit)
looks again and answers as a replay. Nothing else is written with an attachment, so there is no
side effect to do twice.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.access import handles_or_window
from cases.models import Case
from core.errors import ApplicationError, PermissionDenied
from core.offline import check_replay, fingerprint, reused
from people.scope import scope_for
from visits.models import Visit

from . import images
from .models import Attachment
from .selectors import visible_case, visible_visit


@dataclass
class Upload:
    file: UploadedFile
    kind: str
    client_uuid: uuid.UUID | None = None
    note: str = ""


def may_attach_to_case(user, case: Case) -> bool:
    """Whoever may act on the case: its agent's side or its approval window's side."""
    return handles_or_window(user, case)


def may_attach_to_visit(user, visit: Visit) -> bool:
    """The visit's agent, or a manager of the agent's station."""
    return visit.agent.user_id == user.pk or scope_for(user).manages_staff(visit.agent)


def too_large(limit: int, size: int | None = None) -> ApplicationError:
    details = {"field": "file", "limit": limit}
    if size is not None:
        details["size"] = size
    return ApplicationError(
        "file_too_large",
        _("The file is larger than %(limit)d bytes.") % {"limit": limit},
        details=details,
        status=413,
    )


def attachment_upload(
    *,
    actor,
    upload: Upload,
    case_id: int | None = None,
    visit_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Attachment, bool]:
    """Attach a photo to a case or a visit (exactly one). Returns the attachment and whether it
    was created now (False: a repeat of the same client_uuid by the same user)."""
    if (case_id is None) == (visit_id is None):
        raise ValueError("an attachment belongs to exactly one case or visit")
    if upload.kind not in Attachment.Kind.values:
        raise ApplicationError(
            "invalid_kind",
            _("Unknown kind of attachment."),
            details={"field": "kind", "allowed": list(Attachment.Kind.values)},
        )
    case = visit = None
    if case_id is not None:
        case = visible_case(actor, case_id)
        if not may_attach_to_case(actor, case):
            raise PermissionDenied(
                "permission_denied", _("You may not add attachments to this case.")
            )
    else:
        visit = visible_visit(actor, visit_id)
        if not may_attach_to_visit(actor, visit):
            raise PermissionDenied(
                "permission_denied", _("You may not add attachments to this visit.")
            )

    sent = _fingerprint(upload, case, visit)
    existing = _sent_before(upload.client_uuid)
    if existing is not None:
        return _replayed(existing, actor, sent, case, visit), False

    limit = settings.ATTACHMENTS["MAX_BYTES"]
    if upload.file.size is None or upload.file.size > limit:
        raise too_large(limit, upload.file.size)
    upload.file.seek(0)
    content_type = images.sniff(upload.file.read(images.SNIFF_BYTES))
    upload.file.seek(0)
    if content_type is None:
        raise ApplicationError(
            "unsupported_file_type",
            _("Only photos are accepted: JPEG, PNG or HEIC."),
            details={"field": "file"},
        )
    clean = images.clean_copy(
        upload.file,
        content_type,
        max_pixels=settings.ATTACHMENTS["MAX_PIXELS"],
        jpeg_quality=settings.ATTACHMENTS["JPEG_QUALITY"],
    )

    attachment = Attachment(
        client_uuid=upload.client_uuid,
        client_fingerprint=sent,
        case=case,
        visit=visit,
        kind=upload.kind,
        content_type=clean.content_type,
        size=len(clean.data),
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(clean.data).hexdigest(),
        uploaded_by=actor,
        uploaded_at=now or timezone.now(),
        note=upload.note.strip(),
    )
    # the name passed only carries the extension: `stored_name` makes up the rest
    attachment.file.save(f"upload.{clean.extension}", ContentFile(clean.data), save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:
        attachment.file.storage.delete(attachment.file.name)
        # two sends of one client_uuid at once: the first committed, this one is the repeat
        existing = _sent_before(upload.client_uuid)
        if existing is None:
            raise
        return _replayed(existing, actor, sent, case, visit), False
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment, True


def _sent_before(client_uuid: uuid.UUID | None) -> Attachment | None:
    if client_uuid is None:
        return None
    return Attachment.objects.filter(client_uuid=client_uuid).first()


def _fingerprint(upload: Upload, case: Case | None, visit: Visit | None) -> str:
    """What the phone sent: the subject, the kind, the note and the file's bytes as sent."""
    if upload.client_uuid is None:
        return ""
    digest = hashlib.sha256()
    for chunk in upload.file.chunks():
        digest.update(chunk)
    upload.file.seek(0)
    return fingerprint(
        {
            "case": case.pk if case else None,
            "visit": visit.pk if visit else None,
            "kind": upload.kind,
            "note": upload.note,
            "file": digest.hexdigest(),
        }
    )


def _replayed(
    existing: Attachment, actor, sent: str, case: Case | None, visit: Visit | None
) -> Attachment:
    check_replay(
        existing,
        owner="uploaded_by_id",
        actor=actor,
        fingerprint=sent,
        taken=_("This client_uuid belongs to another attachment."),
    )
    subject = (case.pk if case else None, visit.pk if visit else None)
    if (existing.case_id, existing.visit_id) != subject:  # a row from before fingerprints
        raise reused()
    return existing
