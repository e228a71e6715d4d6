"""Reads of attachments and of the cases and visits they hang on, always from the requester's
scope. Out of scope looks exactly like missing (404 with the same code).

Who sees an attachment: whoever sees its case (`cases.selectors.cases_for`) or its visit
(`visits.selectors.visits_for`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cases.models import Case
from cases.selectors import cases_for
from core.errors import NotFound
from visits.models import Visit
from visits.selectors import visits_for

from .models import Attachment


def attachments_for(user) -> QuerySet:
    """Attachments of the cases and visits the requester sees."""
    if user is None or not user.is_authenticated:
        return Attachment.objects.none()
    return Attachment.objects.filter(
        Q(case__in=cases_for(user).values("pk")) | Q(visit__in=visits_for(user).values("pk"))
    ).select_related("uploaded_by")


def visible_case(user, case_id: int) -> Case:
    case = cases_for(user).filter(pk=case_id).first()
    if case is None:
        raise NotFound("unknown_case", _("No such case."))
    return case


def visible_visit(user, visit_id: int) -> Visit:
    visit = visits_for(user).filter(pk=visit_id).first()
    if visit is None:
        raise NotFound("unknown_visit", _("No such visit."))
    return visit


def visible_attachment(user, attachment_id: int) -> Attachment:
    attachment = attachments_for(user).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("unknown_attachment", _("No such attachment."))
    return attachment
