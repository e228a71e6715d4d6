"""The idempotency app's settings: `settings.IDEMPOTENCY`.

Read while settings load (server/settings/apps.py gathers it), before Django is set up: it
imports the standard library and core.env only, never a model or anything of Django.
"""

import os

__all__ = ["IDEMPOTENCY"]

# Idempotency keys (idempotency/): a keyed POST or PATCH under /api/ runs once; retries replay.
IDEMPOTENCY = {
    "TTL_HOURS": float(os.environ.get("IDEMPOTENCY_TTL_HOURS", "24")),
    # larger responses are not kept for replay (the key is forgotten and a retry acts again)
    "MAX_BODY_BYTES": int(os.environ.get("IDEMPOTENCY_MAX_BODY_BYTES", str(1024 * 1024))),
    # a claim this old belongs to a request whose worker died (gunicorn's timeout is 30 s): a
    # retry of the same request may take it over
    "STALE_AFTER_SECONDS": int(os.environ.get("IDEMPOTENCY_STALE_AFTER_SECONDS", "120")),
    # what a 409 `request_in_progress` tells the client to wait
    "RETRY_AFTER_SECONDS": 1,
    # views whose answers must not be kept: login hands out a raw token (only its digest is
    # stored anywhere else) and its body fingerprint would be a fast hash of the password
    "EXEMPT_VIEWS": ["accounts.api.LoginView"],
}
