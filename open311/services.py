"""Open311 writes: a GeoReport v2 `POST requests` becomes an appointment, taken and routed
exactly like one booked on the web (`appointments.intake.appointment_create`, channel
`open311`), plus a `Submission` row saying which client filed it.

Rules of our own on top of the spec's optional fields, each answered with a 400:
- a location is required as `lat`/`long` (WGS-84): routing needs a point, and an
  `address_string` alone cannot be placed without a geocoder (none offline);
- `phone` is required and must be a mainland mobile (the agent phones to arrange the visit);
- a name (`first_name`/`last_name`) is required, as for every appointment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from appointments.intake import Intake, appointment_create
from appointments.models import Appointment, Channel
from core.errors import ApplicationError

from .models import ApiKey, Submission

MAX_LENGTHS = {
    "service_code": 32,
    "address_string": 300,
    "description": 4000,
    "media_url": 500,
    "email": 254,
    "device_id": 100,
    "account_id": 100,
    "first_name": 50,
    "last_name": 50,
    "phone": 20,
}
NAME_MAX = 50  # the appointment's applicant name
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def applicant_name(first_name: str, last_name: str) -> str:
    """A Chinese name is written family name first with no space (张 + 三 → 张三); others as
    "first last"."""
    first, last = first_name.strip(), last_name.strip()
    if _CJK.search(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def _coordinate(value: str, field: str, limit: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ApplicationError(
            "invalid_location",
            _("%(field)s must be a number in decimal degrees (WGS-84).") % {"field": field},
            details={"field": field},
        )
    if not -limit <= number <= limit:
        raise ApplicationError(
            "coordinates_out_of_range",
            _("%(field)s must lie between -%(limit)d and %(limit)d degrees.")
            % {"field": field, "limit": limit},
            details={"field": field},
        )
    return number


def location_of(fields: Mapping[str, str]) -> Point:
    """The request's point from `lat` and `long` (WGS-84). An address alone is refused: see the
    module docstring and docs/open311.md."""
    lat, lon = fields.get("lat", "").strip(), fields.get("long", "").strip()
    if not lat and not lon:
        raise ApplicationError(
            "location_required",
            _(
                "A location is required: send lat and long (WGS-84 decimal degrees). Requests "
                "are routed to the agent of the grid that covers the location; an "
                "address_string or address_id alone cannot be placed on the map here."
            ),
            details={"field": "lat"},
        )
    if not lat or not lon:
        missing = "lat" if not lat else "long"
        raise ApplicationError(
            "invalid_location",
            _("Send both lat and long; %(field)s is missing.") % {"field": missing},
            details={"field": missing},
        )
    return Point(_coordinate(lon, "long", 180), _coordinate(lat, "lat", 90), srid=4326)


def _check_lengths(fields: Mapping[str, str]) -> None:
    for field, limit in MAX_LENGTHS.items():
        if len(fields.get(field, "")) > limit:
            raise ApplicationError(
                "field_too_long",
                _("%(field)s is longer than %(limit)d characters.")
                % {"field": field, "limit": limit},
                details={"field": field, "limit": limit},
            )


def _check_contact(fields: Mapping[str, str]) -> tuple[str, str]:
    media_url, email = fields.get("media_url", "").strip(), fields.get("email", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise ApplicationError(
                "invalid_media_url",
                _("media_url must be an http or https URL."),
                details={"field": "media_url"},
            ) from None
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ApplicationError(
                "invalid_email", _("email is not an e-mail address."), details={"field": "email"}
            ) from None
    return media_url, email


def _notes(key: ApiKey, fields: Mapping[str, str], media_url: str, email: str) -> str:
    """What the staff see of the client's extra fields on the appointment."""
    lines = [_("Filed through Open311 by %(client)s.") % {"client": key.name}]
    if email:
        lines.append(_("E-mail: %(email)s") % {"email": email})
    if media_url:
        lines.append(_("Media: %(url)s") % {"url": media_url})
    for field, label in (("device_id", _("Device")), ("account_id", _("Account"))):
        if value := fields.get(field, "").strip():
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


@transaction.atomic
def request_submit(
    *, api_key: ApiKey, fields: Mapping[str, str], now: datetime | None = None
) -> Appointment:
    """File a GeoReport v2 service request (already authenticated by `api_key`) as an
    appointment. Every refusal is an `ApplicationError` with status 400; nothing is stored."""
    fields = {name: str(value) for name, value in fields.items()}
    _check_lengths(fields)
    if not fields.get("service_code", "").strip():
        raise ApplicationError(
            "service_code_required",
            _("service_code is required."),
            details={"field": "service_code"},
        )
    location = location_of(fields)
    if not fields.get("phone", "").strip():
        raise ApplicationError(
            "phone_required",
            _(
                "phone is required: a mainland mobile number, so that the agent can phone "
                "to arrange the visit."
            ),
            details={"field": "phone"},
        )
    media_url, email = _check_contact(fields)
    name = applicant_name(fields.get("first_name", ""), fields.get("last_name", ""))
    if len(name) > NAME_MAX:
        raise ApplicationError(
            "field_too_long",
            _("first_name and last_name together are longer than %(limit)d characters.")
            % {"limit": NAME_MAX},
            details={"field": "first_name", "limit": NAME_MAX},
        )
    intake = Intake(
        service_item=fields["service_code"].strip(),
        applicant_name=name,
        applicant_phone=fields["phone"],
        location=location,
        address=fields.get("address_string", "").strip(),
        channel=Channel.OPEN311,
        description=fields.get("description", ""),
        notes=_notes(api_key, fields, media_url, email),
    )
    try:
        appointment = appointment_create(actor=None, intake=intake, now=now)
    except ApplicationError as exc:
        exc.status = 400  # the spec answers every refusal of a request's content with 400
        raise
    Submission.objects.create(
        appointment=appointment,
        api_key=api_key,
        media_url=media_url,
        email=email,
        device_id=fields.get("device_id", "").strip(),
        account_id=fields.get("account_id", "").strip(),
    )
    return appointment
