"""Appointments tests use `routed_world` (tests/worlds/appointments.py, registered in
tests/conftest.py). Its fixed moments and `future_window` are re-exported here for the tests
that import them from this module."""

from tests.worlds.appointments import NOW, SH, WINDOW, future_window

__all__ = ["NOW", "SH", "WINDOW", "future_window"]
