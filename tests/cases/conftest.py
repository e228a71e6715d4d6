"""Cases tests use `case_world` (tests/worlds/cases.py, registered in tests/conftest.py). Its
dates and helpers are re-exported here for the tests that import them from this module."""

from tests.worlds.cases import ACCEPTED, ALL_PROVIDED, SH, accepted_case, act, open_walk_in

__all__ = ["ACCEPTED", "ALL_PROVIDED", "SH", "accepted_case", "act", "open_walk_in"]
