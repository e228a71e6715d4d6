"""Resident ID numbers (居民身份证号码): checked, encrypted at rest, looked up by keyed hash,
shown masked — for appointments and cases alike. The keys come from settings; a development
default is derived from SECRET_KEY.

Imports only `core` and Django; must never import an app.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import ApplicationError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def _derived(name: str) -> bytes:
    return hashlib.sha256(f"{name}:{settings.SECRET_KEY}".encode()).digest()


def _fernet() -> Fernet:
    key = settings.APPOINTMENTS["RESIDENT_ID_KEY"] or base64.urlsafe_b64encode(
        _derived("resident-id")
    )
    return Fernet(key)


def check_resident_id(value: str) -> str:
    """An 18-character mainland ID number with a valid birth date and ISO 7064 check digit."""
    number = str(value or "").strip().upper()
    invalid = ApplicationError(
        "invalid_resident_id",
        _("That is not a valid resident ID number."),
        details={"field": "resident_id"},
    )
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise invalid
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise invalid from None
    total = sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True))
    if CHECK[total % 11] != number[17]:
        raise invalid
    return number


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def lookup_hash(number: str) -> str:
    key = (settings.APPOINTMENTS["RESIDENT_ID_HASH_KEY"] or "").encode() or _derived(
        "resident-id-hash"
    )
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def mask(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def stored_fields(number: str) -> dict[str, str]:
    """How a checked number is kept on an appointment or a case: encrypted, hashed for look-up,
    masked for display (all empty when none was given)."""
    if not number:
        return {"resident_id_encrypted": "", "resident_id_hash": "", "resident_id_masked": ""}
    return {
        "resident_id_encrypted": encrypt(number),
        "resident_id_hash": lookup_hash(number),
        "resident_id_masked": mask(number),
    }
