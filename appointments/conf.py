"""The appointments app's settings: `settings.APPOINTMENTS`, its throttle rates, its enum name.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["APPOINTMENTS"]

# Appointments and routing (appointments/).
APPOINTMENTS = {
    # minutes of the routed agent's working time to confirm or decline (per station override)
    "CONFIRM_MINUTES": int(os.environ.get("CONFIRM_MINUTES", "30")),
    # Fernet key for resident ID numbers at rest, and the key of their look-up hash
    "RESIDENT_ID_KEY": os.environ.get("RESIDENT_ID_KEY", ""),
    "RESIDENT_ID_HASH_KEY": os.environ.get("RESIDENT_ID_HASH_KEY", ""),
    # how many times routing retries when a chosen agent filled up concurrently
    "ROUTING_RETRIES": 5,
    # the fallback to a community's other grids looks at this many of the nearest ones
    "COMMUNITY_GRIDS": int(os.environ.get("ROUTING_COMMUNITY_GRIDS", "8")),
}

# bookings per client: anonymous residents (per address) and signed-in staff (per process)
THROTTLE_RATES = {
    "appointments_anon": os.environ.get("THROTTLE_APPOINTMENTS_ANON", "20/hour"),
    "appointments_staff": os.environ.get("THROTTLE_APPOINTMENTS_STAFF", "600/minute"),
}

ENUM_NAME_OVERRIDES = {"AppointmentStatusEnum": "appointments.models.Status"}
