"""`make test`: the same PostGIS cluster, fast hashing, tasks still on django-q2."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, Q_CLUSTER, REST_FRAMEWORK, env_bool

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run in-process; a test that starts a real qcluster process sets Q_SYNC=false for it.
Q_CLUSTER = {**Q_CLUSTER, "sync": env_bool("Q_SYNC", True), "workers": 1}

# Rendering a CJK PDF takes seconds: tests render the notices they check, not every version.
CATALOGUE = {"PRERENDER_NOTICES": False}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"

# parallel runs on one cluster (helpers, a second checkout) each name their own test database
if os.environ.get("TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

# the suite makes thousands of requests as the same few users within a minute; throttle tests
# set their own rates
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "per_user": "100000/minute",
        "per_address": "100000/minute",
    },
}
