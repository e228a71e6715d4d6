"""Routing by distance, on the SQL the ranking runs (`routing_rank` → `routing_candidate` →
`people_position_fresh`): of two eligible agents of the same tier, the nearer wins; a stale or
vague position is ignored and the agent's station stands in for it."""

from datetime import date, timedelta

import pytest
from django.conf import settings as conf
from django.utils import timezone

from appointments import routing
from people.models import GridAssignment, Role, Staff
from tests.appointments.conftest import WINDOW
from tests.appointments.helpers import book
from tests.factories import make_staff
from tests.geo.helpers import point

HOME = (900, 100)  # in grid B; station C1 stands at (500, 500), ~566 m away


@pytest.fixture
def rivals(routed_world):
    """agent1 and agent4, both backups of grid B (which has no primary), both of station C1
    (same distance from the station, same open work): only their positions tell them apart."""
    agent4 = make_staff(
        "agent4", Role.AGENT, centre=routed_world["tree"]["c1"].centre, full_name="周四"
    )
    GridAssignment.objects.create(
        grid=routed_world["grids"]["B"], staff=agent4, kind="backup", valid_from=date(2026, 1, 1)
    )
    return routed_world["people"]["agent1"], agent4


def place(staff: Staff, xy, *, minutes_ago: float = 1, accuracy_m: float = 10) -> None:
    """A last known position, `minutes_ago` by the wall clock (routing measures its age from the
    database's now(), the start of the test's transaction: up to a minute earlier, whence the
    margins of five minutes around the limit below)."""
    Staff.objects.filter(pk=staff.pk).update(
        last_position=point(*xy),
        last_position_at=timezone.now() - timedelta(minutes=minutes_ago),
        last_position_accuracy_m=accuracy_m,
    )


def ranked(appointment_id: int = 1) -> list[routing.Candidate]:
    request = routing.Request(appointment_id, *point(*HOME).coords, *WINDOW)
    return routing.rank([request])[appointment_id].candidates


def figures(candidates) -> dict[int, tuple[bool, float]]:
    """staff id → (distance measured from the position?, distance in metres)"""
    return {c.staff_id: (c.from_position, c.distance_m) for c in candidates}


def m(metres: float):
    """A distance in local metres, as the sphere measures it (within half a percent)."""
    return pytest.approx(metres, rel=0.005, abs=1)


def test_the_nearer_of_two_eligible_agents_wins_and_swapping_positions_swaps_the_winner(rivals):
    one, four = rivals
    place(one, (600, 900))  # ~854 m from the home
    place(four, (870, 140))  # 50 m
    first, second = ranked()
    assert (first.staff_id, second.staff_id) == (four.pk, one.pk)
    assert first.eligible and second.eligible and first.tier == second.tier == 1
    assert figures([first, second]) == {four.pk: (True, m(50)), one.pk: (True, m(854))}

    place(one, (870, 140))
    place(four, (600, 900))
    assert [c.staff_id for c in ranked()] == [one.pk, four.pk]


def test_a_booking_goes_to_the_nearer_agent(rivals):
    one, four = rivals
    place(one, (870, 140))
    place(four, (600, 900))
    a = book(x=HOME[0], y=HOME[1])
    assert a.agent == one and a.routing["rule"] == "grid_member"
    outcomes = {c["staff"]: (c["outcome"], c["distance_from"]) for c in a.routing["candidates"]}
    assert outcomes == {one.pk: ("chosen", "position"), four.pk: ("ranked_lower", "position")}

    place(one, (600, 900))
    place(four, (870, 140))
    assert book(x=HOME[0], y=HOME[1]).agent == four


@pytest.mark.parametrize(
    "how",
    [
        {"minutes_ago": conf.PEOPLE["POSITION_MAX_AGE_MINUTES"] + 5},
        {"accuracy_m": conf.PEOPLE["POSITION_MAX_ACCURACY_M"] + 1},
    ],
    ids=["stale", "vague"],
)
def test_a_stale_or_vague_position_is_ignored_for_the_station(rivals, how):
    one, four = rivals
    place(one, (700, 300))  # fresh: ~283 m from the home
    place(four, HOME, **how)  # at the door, but not to be trusted: the station (~566 m) counts
    assert figures(ranked()) == {one.pk: (True, m(283)), four.pk: (False, m(566))}
    assert book(x=HOME[0], y=HOME[1]).agent == one


def test_a_position_just_within_the_limits_counts(rivals):
    one, four = rivals
    place(one, (700, 300))
    place(
        four,
        HOME,
        minutes_ago=conf.PEOPLE["POSITION_MAX_AGE_MINUTES"] - 5,
        accuracy_m=conf.PEOPLE["POSITION_MAX_ACCURACY_M"],
    )
    assert figures(ranked()) == {one.pk: (True, m(283)), four.pk: (True, m(0))}
    assert book(x=HOME[0], y=HOME[1]).agent == four


def test_the_limits_are_the_settings(rivals, settings):
    one, four = rivals
    place(one, (700, 300))
    place(four, HOME, minutes_ago=20, accuracy_m=50)
    assert ranked()[0].staff_id == four.pk
    settings.PEOPLE = {**settings.PEOPLE, "POSITION_MAX_AGE_MINUTES": 10}
    assert figures(ranked())[four.pk] == (False, m(566))
    settings.PEOPLE = {**settings.PEOPLE, "POSITION_MAX_AGE_MINUTES": 30}
    settings.PEOPLE = {**settings.PEOPLE, "POSITION_MAX_ACCURACY_M": 40}
    assert figures(ranked())[four.pk] == (False, m(566))
