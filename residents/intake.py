"""The checks every intake makes, whoever takes the matter in (an appointment, a walk-in case):
the service item asked for exists and is active, an "other request" says what is needed, the
applicant is named, their mobile number is valid, their resident ID number (if given) is valid.

One function per check; each refusal is an `ApplicationError` naming the field. Imports only
`core`, `catalogue` and `residents.identity`; must never import `appointments` or `cases`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _

from catalogue.models import ServiceItem, ServiceItemVersion
from core import rows
from core.errors import ApplicationError
from core.validation import normalise_mobile

from . import identity


def current_version(code: str) -> ServiceItemVersion | None:
    """The active item `code` and its current version, in one plain query (every booking asks)."""
    version_fields, version_columns = rows.columns(ServiceItemVersion, "v")
    item_fields, item_columns = rows.columns(ServiceItem, "i")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {version_columns}, {item_columns} FROM catalogue_serviceitemversion v "
            "JOIN catalogue_serviceitem i ON i.id = v.item_id "
            "WHERE i.code = %s AND i.active ORDER BY v.version DESC LIMIT 1",
            [code],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    version, version.item = rows.split(
        row, (ServiceItemVersion, version_fields), (ServiceItem, item_fields)
    )
    return version


def requested_version(code: str, description: str) -> ServiceItemVersion:
    """The current version of the item asked for (its `item` attached); an "other request"
    must say what is needed."""
    version = current_version(code)
    if version is None:
        raise ApplicationError(
            "unknown_service_item",
            _("No service item with code %(code)s.") % {"code": code},
            details={"field": "service_item"},
        )
    if version.item.is_other_request and not description.strip():
        raise ApplicationError(
            "description_required",
            _("An 'other request' needs a description of what is needed."),
            details={"field": "description"},
        )
    return version


@dataclass(frozen=True)
class Applicant:
    """A checked applicant: name stripped, mobile normalised, ID number checked ("" if none)."""

    name: str
    phone: str
    resident_id: str

    def stored_id(self) -> dict[str, str]:
        return identity.stored_fields(self.resident_id)


def checked_applicant(*, name: str, phone: str, resident_id: str = "") -> Applicant:
    """The applicant's mobile number, name and resident ID number, checked in that order."""
    phone = normalise_mobile(phone, field="applicant_phone")
    if not name.strip():
        raise ApplicationError(
            "name_required",
            _("The applicant's name is required."),
            details={"field": "applicant_name"},
        )
    number = identity.check_resident_id(resident_id) if resident_id else ""
    return Applicant(name=name.strip(), phone=phone, resident_id=number)
