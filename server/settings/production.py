"""Production: every secret from the environment; refuses to start with a default one."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, SECRET_KEY, STORAGES, env_bool

if not os.environ.get("SECRET_KEY") or SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 32 characters in production."
    )
if not os.environ.get("RESIDENT_ID_KEY") or not os.environ.get("RESIDENT_ID_HASH_KEY"):
    raise ImproperlyConfigured(
        "RESIDENT_ID_KEY (a Fernet key) and RESIDENT_ID_HASH_KEY must be set in production: "
        "resident ID numbers are encrypted at rest."
    )
if len(os.environ.get("REGISTER_CHAIN_KEY", "")) < 32:
    raise ImproperlyConfigured(
        "REGISTER_CHAIN_KEY must be set to a random string of at least 32 characters in "
        "production: it keys the register's hash chain, and is kept outside the database "
        "(docs/adr/0022-keyed-register-chain.md)."
    )
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set in production.")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# Static files (the API docs' assets, the map page's libraries) served by the app itself.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
