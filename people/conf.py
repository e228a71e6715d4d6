"""The people app's settings: `settings.PEOPLE` (availability, positions, login) and its enum.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["PEOPLE"]

# People (people/): availability, positions, login throttling.
PEOPLE = {
    # an agent with no own schedule works these hours on working days
    "DEFAULT_WORK_HOURS": [("08:30", "12:00"), ("13:30", "17:30")],
    # the most open matters an agent carries at once (per-agent override on the profile)
    "OPEN_WORK_CAP": int(os.environ.get("OPEN_WORK_CAP", "8")),
    # positions older or less accurate than this are not used for routing
    "POSITION_MAX_AGE_MINUTES": int(os.environ.get("POSITION_MAX_AGE_MINUTES", "30")),
    "POSITION_MAX_ACCURACY_M": float(os.environ.get("POSITION_MAX_ACCURACY_M", "200")),
    "POSITION_RETENTION_DAYS": int(os.environ.get("POSITION_RETENTION_DAYS", "30")),
    "POSITION_BATCH_MAX": 500,
    # the public board lists the working days of the coming days nobody covers at the desk
    "BOARD_DESK_DAYS": int(os.environ.get("BOARD_DESK_DAYS", "14")),
    # the log-in brake (accounts/backends.py, ADR 0024): failed logins of one account (username
    # and phone alike) and of one client address within the window lock it for the lockout,
    # counted from the failure that reached the limit
    "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
    "LOGIN_MAX_FAILURES_PER_ADDRESS": int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
    "LOGIN_WINDOW_SECONDS": int(os.environ.get("LOGIN_WINDOW_SECONDS", "900")),
    "LOGIN_LOCKOUT_SECONDS": int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900")),
}

ENUM_NAME_OVERRIDES = {"AssignmentKindEnum": "people.models.GridAssignment.Kind"}
