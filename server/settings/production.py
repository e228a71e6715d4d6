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

# the public Open311 list: rendered at most once per 5 s per question (base.py, ADR 0036)
OPEN311_LIST_CACHE_SECONDS = int(os.environ.get("OPEN311_LIST_CACHE_SECONDS", "5"))

# HTTPS (README "Security"). The usual deployment: nginx or a load balancer ends TLS and passes
# requests on over plain HTTP with `X-Forwarded-Proto`, which it sets (overwriting any the client
# sent). These defaults pass `manage.py check --deploy`; a demo without TLS (docker compose on
# localhost) turns them off: SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SECURE_COOKIES=false.
# Trust X-Forwarded-Proto only from a proxy that sets it (BEHIND_TLS_PROXY=false when gunicorn is
# reached directly: a client could otherwise claim https).
if env_bool("BEHIND_TLS_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# probes on the private network ask over plain HTTP
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# one year; HSTS binds browsers to HTTPS for that long: start low (300) on a new host
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
# the service has a host name of its own, so this covers only names under it
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# the directive only consents to preloading; nothing is submitted anywhere
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True

# Static files (the API docs' assets, the map page's libraries) served by the app itself.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
