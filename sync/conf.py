"""The sync app's settings: `settings.SYNC` (change-log retention, page size).

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["SYNC"]

SYNC = {
    # change-log rows older than this are purged; a cursor from before answers resync_required
    "RETENTION_DAYS": int(os.environ.get("SYNC_RETENTION_DAYS", "30")),
    # changes per page
    "PAGE_SIZE": int(os.environ.get("SYNC_PAGE_SIZE", "500")),
}
