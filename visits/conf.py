"""The visits app's settings: `settings.VISITS`.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["VISITS"]

VISITS = {
    # a check-in farther than this from the home is flagged (metres)
    "CHECKIN_RADIUS_M": float(os.environ.get("VISITS_CHECKIN_RADIUS_M", "200")),
}
