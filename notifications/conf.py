"""The notifications app's settings: `settings.NOTIFICATIONS`, the delivery backends.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

from core.env import env_list

__all__ = ["NOTIFICATIONS"]

# Notifications: the outbox is always written; these backends deliver it (see backends.py).
NOTIFICATIONS = {
    "BACKENDS": env_list("NOTIFICATION_BACKENDS", ["notifications.backends.LogBackend"]),
    "SMS": {
        "URL": os.environ.get("SMS_GATEWAY_URL", ""),
        "KEY": os.environ.get("SMS_GATEWAY_KEY", ""),
        "SIGN_NAME": os.environ.get("SMS_SIGN_NAME", "便民代办"),
    },
    "PUSH": {
        "URL": os.environ.get("PUSH_SERVICE_URL", ""),
        "KEY": os.environ.get("PUSH_SERVICE_KEY", ""),
        "APP_ID": os.environ.get("PUSH_APP_ID", ""),
    },
}
