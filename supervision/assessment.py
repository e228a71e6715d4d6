"""Assessment (考核): a scheme version turns the figures of a period into a score and a rank per
unit, explained indicator by indicator.

For each indicator: the unit's value of the figure, its normalised score (0–100, see
`Indicator`), its weight and its contribution = weight ÷ (sum of weights) × score, rounded to
two decimals. The unit's score is the sum of its contributions as shown, so the explanation
adds up exactly. Ranks are over every unit of the level in the district (equal scores share a
rank); a requester sees the rows of the units in their reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import NotFound, PermissionDenied

from . import figures
from .access import defines, reach_for
from .figures import FIGURES_BY_KEY
from .models import AssessmentScheme, Indicator, Level
from .periods import Period, parse_period
from .selectors import Unit, units, units_in_reach

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def normalised(indicator: Indicator, value) -> tuple[Decimal, bool]:
    """The indicator's score (0–100) for a value, and whether the value was missing."""
    if value is None:
        return Decimal(indicator.missing_score), True
    value = Decimal(str(value))
    if indicator.method == Indicator.Method.TARGET:
        target = Decimal(indicator.target)
        if indicator.direction == Indicator.Direction.HIGHER:
            score = value / target * HUNDRED if value > 0 else Decimal(0)
        else:
            score = HUNDRED if value <= target else target / value * HUNDRED
    else:
        best, worst = Decimal(indicator.best), Decimal(indicator.worst)
        score = (value - worst) / (best - worst) * HUNDRED
    return _round(min(HUNDRED, max(Decimal(0), score))), False


@dataclass
class IndicatorScore:
    figure: str
    label: str
    value: float | int | None
    score: Decimal
    weight: Decimal
    contribution: Decimal
    missing: bool


@dataclass
class UnitScore:
    unit: Unit
    score: Decimal
    rank: int
    indicators: list[IndicatorScore]


@dataclass
class Assessment:
    scheme: AssessmentScheme
    period: Period
    results: list[UnitScore]


def score_units(scheme: AssessmentScheme, period: Period, *, today: date) -> list[UnitScore]:
    """Every unit of the scheme's level, scored and ranked (best first)."""
    indicators = list(scheme.indicators.all())
    total_weight = sum((Decimal(i.weight) for i in indicators), Decimal(0))
    unit_list = units(scheme.level, period=period)
    values = figures.compute(scheme.level, [u.id for u in unit_list], period, today=today)
    results = []
    for unit in unit_list:
        parts = []
        for indicator in indicators:
            value = values[unit.id].get(indicator.figure)
            score, missing = normalised(indicator, value)
            weight = Decimal(indicator.weight)
            parts.append(
                IndicatorScore(
                    figure=indicator.figure,
                    label=FIGURES_BY_KEY[indicator.figure].header,
                    value=value,
                    score=score,
                    weight=weight,
                    contribution=_round(weight / total_weight * score),
                    missing=missing,
                )
            )
        total = sum((p.contribution for p in parts), Decimal(0))
        results.append(UnitScore(unit=unit, score=total, rank=0, indicators=parts))
    results.sort(key=lambda r: (-r.score, r.unit.parent_code, r.unit.code, r.unit.name))
    for position, result in enumerate(results, start=1):
        earlier = results[position - 2] if position > 1 else None
        result.rank = earlier.rank if earlier and earlier.score == result.score else position
    return results


def scheme_for(user, code: str, version: int | None = None) -> AssessmentScheme:
    """The active version of a scheme (or the version asked for). Drafts are read only by
    those who define schemes; anyone else gets 404 for them."""
    qs = AssessmentScheme.objects.filter(code=code)
    if version is None:
        scheme = qs.filter(active=True).first()
    else:
        scheme = qs.filter(version=version).first()
        if scheme is not None and scheme.published_at is None and not defines(user):
            scheme = None
    if scheme is None:
        raise NotFound(
            "unknown_scheme",
            _("No assessment scheme %(code)s.") % {"code": code},
            details={"code": code, "version": version},
        )
    return scheme


def assess(
    *, user, code: str, period_label: str, today: date, version: int | None = None
) -> Assessment:
    """`GET /assessment/{code}/?period=`: the scores of the units the requester reads."""
    reach = reach_for(user)
    scheme = scheme_for(user, code, version)
    if reach.own_staff_id is not None and scheme.level != Level.AGENT:
        raise PermissionDenied(
            "permission_denied", _("Agents read their own assessment only (level agent).")
        )
    period = parse_period(period_label, scheme.period_kind)
    visible = {u.id for u in units_in_reach(reach, scheme.level, None, period)}
    results = [r for r in score_units(scheme, period, today=today) if r.unit.id in visible]
    return Assessment(scheme=scheme, period=period, results=results)


def next_version(code: str) -> int:
    return (AssessmentScheme.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
