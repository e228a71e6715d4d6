"""The triplicate register (村民(居民)代理事项登记本): one register per station per year.

Serials are gapless and unique under concurrent acceptances: the serial comes from an upsert
on the register's counter row, which holds that row's lock until the accepting transaction
ends (a rolled-back acceptance gives its number back). Each entry carries the hash of the
previous entry of its register and a hash of its own content, so `verify_register` finds a
changed, removed or inserted row. Entries are never edited (a trigger refuses it): a
correction is a new entry pointing at the one it corrects.

The chain is keyed (ADR 0022): an entry's hash is an HMAC-SHA256 under the register chain key
(`CASES["REGISTER_CHAIN_KEY"]`, held outside the database, never given to it), computed here in
`append` under the counter row's lock; the entry records the scheme and the key's id. Entries
written before the key are plain SHA-256 and stay as they were: the first keyed entry of a
register chains from its head. Someone with database access but without the key can no longer
rewrite a row and recompute the chain; the heads published daily (`cases.register_heads`) and
kept outside catch even a rewrite with a leaked key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.db.models import Min

from geo.models import Area, ServiceCentre

from .models import Case, RegisterEntry, RegisterHead

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


def chain_key() -> tuple[str, bytes]:
    """The current register chain key and its id; in development a key derived from SECRET_KEY
    (id `dev`), production refuses to start without one (server/settings/production.py)."""
    conf = settings.CASES
    secret = conf["REGISTER_CHAIN_KEY"]
    key = (
        secret.encode()
        if secret
        else hashlib.sha256(f"register-chain:{settings.SECRET_KEY}".encode()).digest()
    )
    return conf["REGISTER_CHAIN_KEY_ID"], key


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
    scheme: str = RegisterEntry.Scheme.HMAC_SHA256,
    key_id: str = "",
    key: bytes | None = None,
) -> str:
    """The entry's hash: over its registered fields and the previous entry's hash; keyed
    (HMAC-SHA256 with `key`, its id inside what is signed) unless it is an old plain entry."""
    fields = {
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
    }
    if scheme == RegisterEntry.Scheme.SHA256:
        return hashlib.sha256(_canonical(fields)).hexdigest()
    if key is None:
        raise ValueError("a keyed register entry needs its key")
    fields.update(scheme=scheme, key_id=key_id)
    return hmac.new(key, _canonical(fields), hashlib.sha256).hexdigest()


def _canonical(fields: dict) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


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
    key_id, key = chain_key()
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
        key_id=key_id,
        key=key,
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
        scheme=RegisterEntry.Scheme.HMAC_SHA256,
        key_id=key_id,
    )


@dataclass(frozen=True)
class Problem:
    centre: str
    year: int
    serial: int | None
    code: str
    message: str


def verify(
    *,
    centre_code: str | None = None,
    year: int | None = None,
    keys: dict[str, bytes] | None = None,
    heads: list[str] | tuple[str, ...] = (),
) -> list[Problem]:
    """Check every register (or one): serials 1..n without gaps, each entry's hash over its own
    content (keyed entries with their key: the current one, or `keys` by id for older ones),
    each link to the previous entry's hash, no plain entry written after the chain was keyed,
    the counter agreeing with the rows, and the register heads: those published here
    (`RegisterHead`) and any kept outside and given as `heads`, each still in the chain.
    Problems come in register order: the first names the first bad entry."""
    current_id, current_key = chain_key()
    known = {current_id: current_key, **(keys or {})}
    code_filter = centre_code.ljust(12, "0") if centre_code else None
    keyed_since = RegisterEntry.objects.filter(scheme=RegisterEntry.Scheme.HMAC_SHA256).aggregate(
        first=Min("created_at")
    )["first"]
    problems: list[Problem] = []
    entries = RegisterEntry.objects.select_related("centre__area", "case").order_by(
        "centre_id", "year", "serial"
    )
    published = RegisterHead.objects.select_related("centre__area")
    if code_filter:
        entries = entries.filter(centre__area__code=code_filter)
        published = published.filter(centre__area__code=code_filter)
    if year:
        entries = entries.filter(year=year)
        published = published.filter(year=year)
    heads_by_entry: dict[int, list[RegisterHead]] = {}
    for head in published:
        heads_by_entry.setdefault(head.entry_id, []).append(head)
    outside = {h.strip().lower() for h in heads if h.strip()}
    current = None
    expected_serial, prev_hash, keyed = 1, GENESIS, False
    for e in entries.iterator(chunk_size=2000):
        key = (e.centre_id, e.year)
        if key != current:
            current, expected_serial, prev_hash, keyed = key, 1, GENESIS, False
        code = e.centre.area.code

        def problem(kind: str, message: str, e=e, code=code) -> None:
            problems.append(Problem(code, e.year, e.serial, kind, message))

        if e.serial != expected_serial:
            problem("serial_gap", f"expected serial {expected_serial}, found {e.serial}")
        if e.prev_hash != prev_hash:
            problem("broken_link", "the previous-entry hash does not match the previous entry")
        # a plain entry is old: none follows a keyed one, none was written after the first
        after_keyed = keyed or (keyed_since is not None and e.created_at > keyed_since)
        _check_hash(e, code, known, after_keyed, problem)
        keyed = keyed or e.scheme == RegisterEntry.Scheme.HMAC_SHA256
        for head in heads_by_entry.pop(e.pk, []):
            if head.hash != e.hash:
                problem(
                    "head_mismatch",
                    f"the head published on {head.published_on} was {head.hash[:16]}…, "
                    f"the entry now hashes to {e.hash[:16]}…",
                )
        outside.discard(e.hash)
        expected_serial, prev_hash = e.serial + 1, e.hash
    for missing in heads_by_entry.values():
        for head in missing:
            problems.append(
                Problem(
                    head.centre.area.code,
                    head.year,
                    head.serial,
                    "head_mismatch",
                    f"the head published on {head.published_on} is no longer in the register",
                )
            )
    for digest in sorted(outside):
        problems.append(
            Problem(
                code_filter or "*",
                year or 0,
                None,
                "head_not_found",
                f"no entry has the published head {digest}: the register was rewritten after it",
            )
        )
    problems.extend(_counter_problems(code_filter, year))
    return problems


def _check_hash(e: RegisterEntry, code: str, known: dict, after_keyed: bool, problem) -> None:
    if e.scheme == RegisterEntry.Scheme.SHA256:
        if after_keyed:
            problem("unkeyed_entry", "a plain SHA-256 entry written after the chain was keyed")
    elif e.key_id not in known:
        problem("unknown_key", f"no key {e.key_id!r} to check this entry (give it: --key-file)")
        return
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
        scheme=e.scheme,
        key_id=e.key_id,
        key=known.get(e.key_id),
    )
    if not hmac.compare_digest(recomputed, e.hash):
        problem("content_changed", "the entry differs from its hash")


def _counter_problems(code_filter: str | None, year: int | None) -> list[Problem]:
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.code, k.year, k.last_serial, "
            "       (SELECT max(serial) FROM cases_registerentry e "
            "         WHERE e.centre_id = k.centre_id AND e.year = k.year) "
            "FROM cases_registercounter k JOIN geo_servicecentre c ON c.id = k.centre_id "
            "JOIN geo_area a ON a.id = c.area_id"
        )
        for code, yr, last, highest in cursor.fetchall():
            if (code_filter and code != code_filter) or (year and yr != year):
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
