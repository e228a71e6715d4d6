"""The supervision app's settings: `settings.SUPERVISION` (figures, inspection photos).

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["SUPERVISION"]

# Supervision (supervision/): figures, assessment, notices, inspections.
SUPERVISION = {
    # a home visit is "in time" when checked in within this many calendar hours of the later of
    # the booking and the start of the resident's preferred window (calendar hours, not working
    # hours: simple to explain on a sheet, and the visit rule says "promptly")
    "VISIT_WITHIN_HOURS": float(os.environ.get("SUPERVISION_VISIT_WITHIN_HOURS", "48")),
    # inspection photos: the largest upload (bytes), the most pixels, JPEG quality of the copy
    "PHOTO_MAX_BYTES": int(os.environ.get("SUPERVISION_PHOTO_MAX_BYTES", str(10 * 1024 * 1024))),
    "PHOTO_MAX_PIXELS": int(os.environ.get("SUPERVISION_PHOTO_MAX_PIXELS", str(50_000_000))),
    "PHOTO_JPEG_QUALITY": 85,
}
