"""Published register heads (ADR 0022): once a day the head of each station's register — its
latest entry's number and keyed hash — is recorded (`RegisterHead`), shown on the station's
public board and offered to supervisors as a file to keep. Whoever holds a head can later check
that the register still leads to it (`verify_register --head`): a register rewritten behind a
published head, even by someone holding the chain key, no longer contains it.

Publishing is idempotent: one head per station and day (a unique row; a second run that day
records nothing). Reads are scoped like every other read of the register.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import OuterRef, QuerySet, Subquery

from geo.models import Area, ServiceCentre
from people.scope import scope_for

from .models import RegisterEntry, RegisterHead


def register_heads_publish(*, now: datetime) -> int:
    """Record today's head (Asia/Shanghai) of every station's newest register; returns how many
    were recorded (0 when this day's heads are already there)."""
    from workdays.calendar import local_date

    day = local_date(now)
    newest = RegisterEntry.objects.filter(centre_id=OuterRef("pk")).order_by("-year", "-serial")
    heads = (
        ServiceCentre.objects.annotate(head=Subquery(newest.values("pk")[:1]))
        .filter(head__isnull=False)
        .values_list("head", flat=True)
    )
    rows = [
        RegisterHead(
            published_on=day,
            published_at=now,
            centre_id=e.centre_id,
            year=e.year,
            serial=e.serial,
            entry=e,
            hash=e.hash,
        )
        for e in RegisterEntry.objects.filter(pk__in=list(heads)).only(
            "pk", "centre_id", "year", "serial", "hash"
        )
    ]
    done = set(RegisterHead.objects.filter(published_on=day).values_list("centre_id", flat=True))
    fresh = [r for r in rows if r.centre_id not in done]
    RegisterHead.objects.bulk_create(fresh, ignore_conflicts=True)  # a concurrent run: no twice
    return len(fresh)


def latest_head(centre: ServiceCentre) -> RegisterHead | None:
    """The station's most recently published head (for its public board)."""
    return RegisterHead.objects.filter(centre=centre).order_by("-published_on").first()


def heads_for(
    user, *, centre_code: str = "", start: date | None = None, end: date | None = None
) -> QuerySet[RegisterHead]:
    """Published heads of the stations whose areas the requester sees, newest day first."""
    areas = scope_for(user).areas(Area.objects.all()).values("pk")
    rows = RegisterHead.objects.filter(centre__area__in=areas).select_related("centre__area")
    if centre_code:
        rows = rows.filter(centre__area__code=centre_code.ljust(12, "0"))
    if start:
        rows = rows.filter(published_on__gte=start)
    if end:
        rows = rows.filter(published_on__lte=end)
    return rows.order_by("-published_on", "centre__area__code")
