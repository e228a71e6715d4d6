"""The triplicate register (村民(居民)代理事项登记本): one register per station per year.

Serials are gapless and unique under concurrent acceptances: the serial comes from an upsert
on the register's counter row, which holds that row's lock until the accepting transaction
ends (a rolled-back acceptance gives its number back). Each entry carries the hash of the
previous entry of its register and a hash of its own content, so `verify_register` finds a
changed, removed or inserted row. Entries are never edited (a trigger refuses it): a
correction is a new entry pointing at the one it corrects.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from geo.models import Area, ServiceCentre

from .models import Case, RegisterEntry

GENESIS = "0" * 64


def street_centre_of(centre: ServiceCentre) -> ServiceCentre:
    """The street/town centre that receives a copy: the station's parent area's centre (a
    street centre keeps its own copy; a district-level register sends it to itself)."""
    area = centre.area
    if area.level == Area.Level.COMMUNITY and area.parent_id is not None:
        parent = ServiceCentre.objects.filter(area_id=area.parent_id).first()
        if parent is not None:
            return parent
    return centre


def entry_hash(
    *,
    centre_code: str,
    year: int,
    serial: int,
    tracking_code: str,
    kind: str,
    corrects: int | None,
    content: dict,
    created_at: datetime,
    created_by: int,
    prev_hash: str,
) -> str:
    material = json.dumps(
        {
            "centre": centre_code,
            "year": year,
            "serial": serial,
            "case": tracking_code,
            "kind": kind,
            "corrects": corrects,
            "content": content,
            "created_at": created_at.astimezone(UTC).isoformat(),
            "created_by": created_by,
            "prev_hash": prev_hash,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode()).hexdigest()


def _next_serial(centre: ServiceCentre, year: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_registercounter (centre_id, year, last_serial) VALUES (%s, %s, 1) "
            "ON CONFLICT (centre_id, year) "
            "DO UPDATE SET last_serial = cases_registercounter.last_serial + 1 "
            "RETURNING last_serial",
            [centre.pk, year],
        )
        return cursor.fetchone()[0]


def append(
    case: Case,
    *,
    kind: str,
    content: dict,
    actor,
    now: datetime,
    corrects: RegisterEntry | None = None,
) -> RegisterEntry:
    """Write the next entry of the case's station register (inside the caller's transaction)."""
    from workdays.calendar import local_date

    centre = case.centre
    year = local_date(now).year
    serial = _next_serial(centre, year)  # holds the register's lock until commit
    prev_hash = (
        RegisterEntry.objects.filter(centre=centre, year=year, serial=serial - 1)
        .values_list("hash", flat=True)
        .first()
        or GENESIS
    )
    now = now.astimezone(UTC)
    digest = entry_hash(
        centre_code=centre.area.code,
        year=year,
        serial=serial,
        tracking_code=case.tracking_code,
        kind=kind,
        corrects=corrects.pk if corrects else None,
        content=content,
        created_at=now,
        created_by=actor.pk,
        prev_hash=prev_hash,
    )
    return RegisterEntry.objects.create(
        centre=centre,
        year=year,
        serial=serial,
        case=case,
        kind=kind,
        corrects=corrects,
        content=content,
        created_at=now,
        created_by=actor,
        street_centre=street_centre_of(centre),
        prev_hash=prev_hash,
        hash=digest,
    )


@dataclass(frozen=True)
class Problem:
    centre: str
    year: int
    serial: int | None
    code: str
    message: str


def verify(*, centre_code: str | None = None, year: int | None = None) -> list[Problem]:
    """Check every register (or one): serials 1..n without gaps, each entry's hash over its own
    content, each link to the previous entry's hash, and the counter agreeing with the rows."""
    problems: list[Problem] = []
    entries = RegisterEntry.objects.select_related("centre__area", "case").order_by(
        "centre_id", "year", "serial"
    )
    if centre_code:
        entries = entries.filter(centre__area__code=centre_code.ljust(12, "0"))
    if year:
        entries = entries.filter(year=year)
    current = None
    expected_serial, prev_hash = 1, GENESIS
    for e in entries.iterator(chunk_size=2000):
        key = (e.centre_id, e.year)
        if key != current:
            current, expected_serial, prev_hash = key, 1, GENESIS
        code = e.centre.area.code
        if e.serial != expected_serial:
            problems.append(
                Problem(
                    code,
                    e.year,
                    e.serial,
                    "serial_gap",
                    f"expected serial {expected_serial}, found {e.serial}",
                )
            )
        if e.prev_hash != prev_hash:
            problems.append(
                Problem(
                    code,
                    e.year,
                    e.serial,
                    "broken_link",
                    "the previous-entry hash does not match the previous entry",
                )
            )
        recomputed = entry_hash(
            centre_code=code,
            year=e.year,
            serial=e.serial,
            tracking_code=e.case.tracking_code,
            kind=e.kind,
            corrects=e.corrects_id,
            content=e.content,
            created_at=e.created_at,
            created_by=e.created_by_id,
            prev_hash=e.prev_hash,
        )
        if recomputed != e.hash:
            problems.append(
                Problem(
                    code, e.year, e.serial, "content_changed", "the entry differs from its hash"
                )
            )
        expected_serial, prev_hash = e.serial + 1, e.hash
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.code, k.year, k.last_serial, "
            "       (SELECT max(serial) FROM cases_registerentry e "
            "         WHERE e.centre_id = k.centre_id AND e.year = k.year) "
            "FROM cases_registercounter k JOIN geo_servicecentre c ON c.id = k.centre_id "
            "JOIN geo_area a ON a.id = c.area_id"
        )
        for code, yr, last, highest in cursor.fetchall():
            if (centre_code and code != centre_code.ljust(12, "0")) or (year and yr != year):
                continue
            if highest != last:
                problems.append(
                    Problem(
                        code,
                        yr,
                        None,
                        "missing_entries",
                        f"the counter is at {last} but the last entry is {highest}",
                    )
                )
    return problems
