"""`make cluster` and the cluster tests (scripts/cluster): the production settings, with static
files served from the apps' folders instead of a collectstatic run (which compresses and hashes
every file: minutes on a 2-core machine). A real deployment uses `production` and collectstatic.
"""

from .base import env_bool
from .production import *  # noqa: F403
from .production import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = env_bool("WHITENOISE_AUTOREFRESH", False)
