"""The Open311 endpoints' settings: their throttle rates (no block of their own).

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__: list[str] = []

# Open311 GeoReport v2: new requests per API key, public reads per client address
THROTTLE_RATES = {
    "open311_post": os.environ.get("THROTTLE_OPEN311_POST", "120/hour"),
    "open311_read": os.environ.get("THROTTLE_OPEN311_READ", "120/minute"),
}
