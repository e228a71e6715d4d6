"""The attachments app's settings: `settings.ATTACHMENTS` and its enum name.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["ATTACHMENTS"]

# Attachments (attachments/): photos of documents and signatures on a case or a visit.
ATTACHMENTS = {
    # the largest accepted upload, in bytes (refused before the body is parsed when it says so)
    "MAX_BYTES": int(os.environ.get("ATTACHMENTS_MAX_BYTES", str(10 * 1024 * 1024))),
    # decompression-bomb guard: more pixels than this is refused before decoding
    "MAX_PIXELS": int(os.environ.get("ATTACHMENTS_MAX_PIXELS", str(50_000_000))),
    # the stored copy of a JPEG or HEIC photo is re-encoded as JPEG at this quality
    "JPEG_QUALITY": int(os.environ.get("ATTACHMENTS_JPEG_QUALITY", "85")),
}

ENUM_NAME_OVERRIDES = {"AttachmentKindEnum": "attachments.models.Attachment.Kind"}
