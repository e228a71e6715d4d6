"""Project-wide settings shared by every use; each value that differs per machine comes from the
environment.

Only what concerns the whole project lives here: apps, middleware, database, templates, i18n,
static and uploaded files, the REST framework and OpenAPI core, caches, logging, django-q2. Each
app's own block (GEO, PEOPLE, APPOINTMENTS, …) lives in that app's `conf.py`, gathered by
`server/settings/apps.py` and star-imported below; the throttle rates and schema enum names the
apps contribute join REST_FRAMEWORK and SPECTACULAR_SETTINGS here
(docs/adr/0017-settings-and-urls-per-app.md).

Deny by default: every API view needs an authenticated user unless it says otherwise.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_list

from . import apps as _apps
from .apps import *  # noqa: F403  each app's own block: GEO, PEOPLE, APPOINTMENTS, … (apps.py)

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def database_from_url(url: str) -> dict:
    """DATABASE_URL → Django's DATABASES entry, always on the PostGIS backend."""
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    config["CONN_HEALTH_CHECKS"] = True
    # PostGIS functions carry high cost estimates, which make PostgreSQL JIT-compile small
    # spatial queries (100+ ms each). Our queries are short and indexed: no JIT.
    config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Server-side prepared statements after 5 runs of the same query: the routing statement
    # takes ~10 ms to plan and ~3 ms to run. DB_PREPARE_THRESHOLD=none behind a pgbouncer in
    # transaction mode, which cannot keep prepared statements.
    threshold = os.environ.get("DB_PREPARE_THRESHOLD", "5")
    config["OPTIONS"]["prepare_threshold"] = None if threshold.lower() == "none" else int(threshold)
    config["OPTIONS"]["server_side_binding"] = threshold.lower() != "none"
    return config


def embedded_database_url() -> str | None:
    """The URL of this checkout's embedded cluster (scripts/devdb), when it has one."""
    marker = BASE_DIR / ".devdb-url"
    if marker.exists():
        return marker.read_text().strip() or None
    return None


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "accounts",
    "workdays",
    "geo",
    "people",
    "catalogue",
    "notifications",
    "appointments",
    "cases",
    "visits",
    "sync",
    "feedback",
    "attachments",
    "open311",
    "mobile_api",
    "fixtures",
    "audit",
    "supervision",
    "idempotency",
    "tiles",
    "maps",
    "fieldapp",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on HTML answers: the project's own scripts and styles only
    "core.csp.ContentSecurityPolicyMiddleware",
    # ETag on every GET answer; If-None-Match with it → 304 (phones re-polling their lists)
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # under DEBUG, debug pages only for requests from this machine (core/debug.py)
    "core.debug.LocalDebugPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.RequestContextMiddleware",
    # picks the database a GET may read from, and remembers where a write's WAL ended — around
    # the idempotency middleware, whose transaction holds a keyed write (read replicas, ADR 0031)
    "core.db.middleware.ReplicaMiddleware",
    "idempotency.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.api.middleware.ApiErrorMiddleware",
]

# third-party HTML pages with inline scripts get no Content-Security-Policy (core/csp.py)
CSP_EXEMPT_PATHS = ["/admin/", "/api/docs/"]

ROOT_URLCONF = "server.urls"
WSGI_APPLICATION = "server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "server" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL") or embedded_database_url()
if not _database_url:
    raise ImproperlyConfigured(
        "No database: set DATABASE_URL (postgis://user:pass@host:port/name) "
        "or start the embedded cluster with `make run` / `scripts/devdb start`."
    )
DATABASES = {"default": database_from_url(_database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# every log-in (API, /map/login/, /admin/login/) through the one brake: ADR 0024
AUTHENTICATION_BACKENDS = ["accounts.backends.BrakedModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

# Request bodies above this are refused with `payload_too_large` (a polygon of geo's
# MAX_VERTICES fits).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BYTES", str(2 * 1024 * 1024)))

# --- Uploaded files on S3-compatible object storage ------------------------------------------
# Off unless S3_BUCKET is set; then uploads (attachments, signature photos) go to the bucket
# through django-storages (`pip install "gridproxy[s3]"`). Objects stay private (no ACL) and are
# served through the API, never by public URL. Works with AWS S3 and with S3-compatible services
# (Aliyun OSS, Tencent COS, Huawei OBS, MinIO): set S3_ENDPOINT_URL and, for MinIO,
# S3_ADDRESSING_STYLE=path.
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Spatial reference: storage is WGS-84; lengths and areas are measured in metres on geography.
SRID = 4326

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # how many reverse proxies put the client's address in X-Forwarded-For (0: trust none and
    # use the connection's address, so a spoofed header cannot dodge the public throttles)
    "NUM_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttles.PerUserThrottle",
        "core.api.throttles.PerAddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        # every API view, per signed-in user and per client address (core/api/throttles.py)
        "per_user": os.environ.get("THROTTLE_PER_USER", "600/minute"),
        "per_address": os.environ.get("THROTTLE_PER_ADDRESS", "1800/minute"),
        # each app's own scopes (public bookings, tracking, feedback, Open311): its conf.py
        **_apps.throttle_rates,
    },
}
if env_bool("BROWSABLE_API", False):
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Grid proxy service API (便民服务事项全程代办)",
    "DESCRIPTION": (
        "REST API of the grid-routed full-process proxy service: areas and grids, agents, "
        "appointments, cases. Every error has the shape "
        '`{"error": {"code": "...", "message": "...", "details": {...}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # several models have a `status` or `kind`: each choice set gets its own schema name, given
    # by the app that owns the model (its conf.py)
    "ENUM_NAME_OVERRIDES": _apps.enum_name_overrides,
    # the default enum hook, then `Idempotency-Key` on every POST and PATCH under /api/v1/,
    # then the error answers each operation may give (core/api/schema.py)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "idempotency.schema.add_idempotency_key_header",
        "core.api.schema.add_error_responses",
    ],
}

# django-q2: always the ORM broker on the primary, also with REDIS_URL (ADR 0016, 0030): a task is
# queued inside the write's transaction, and a task taken by a worker that dies is handed out
# again after `retry` (django-q2's Redis broker has no receipts: it would lose it). Two queues, each served by its own `qcluster` process (ADR 0016):
# - "gridproxy": schedules, PDF rendering, backlog passes; a task may run two minutes, so one
#   interrupted by a crash is taken again after `retry` (180 s);
# - Q_SHORT_CLUSTER: tasks that finish in seconds (a notification's delivery: each backend's
#   HTTP call times out after 5 s), re-run at most 30 s after a crash. Started with
#   `Q_CLUSTER_NAME=gridproxy-short manage.py qcluster`; django-q2 then reads its entry in
#   ALT_CLUSTERS over the values above. retry > timeout: a task still running is never handed
#   to a second worker; a delivery's row lock (notifications/tasks.py) covers what is left.
Q_SHORT_CLUSTER = "gridproxy-short"
Q_CLUSTER = {
    "name": "gridproxy",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "catch_up": False,
    "orm": "default",
    "label": "Background tasks",
    "ALT_CLUSTERS": {
        Q_SHORT_CLUSTER: {
            "workers": int(os.environ.get("Q_SHORT_WORKERS", "2")),
            "timeout": 20,
            "retry": 30,
            # a refused delivery is tried again after `retry`; notifications.tasks.MAX_ATTEMPTS
            "max_attempts": 5,
        },
    },
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handler prints django.* (GEOS/GDAL notices too) again under DEBUG: root only
        "django": {"handlers": [], "level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # third-party progress lines (WeasyPrint's steps, fontTools' subsetting: ~170 INFO lines
        # per start-up as notices are pre-rendered) stay out of the console
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# gis.W001: Debian 12's GDAL 3.6 cannot block file/network access from crafted spatial-reference
# strings. No request ever hands GDAL a spatial-reference string: API input is GeoJSON without a
# `crs` member plus our own `crs` enum (wgs84/gcj02/bd09), and files are imported only by an
# operator's command. See docs/adr/0004-gdal-spatial-reference-input.md.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Caches (ADR 0030). Without REDIS_URL: "default" is the database table every process shares
# (django-q2's cluster reports, the public throttles, the tile cache), and "counters" — the
# per-user, per-address and staff-intake throttles — counts in each process's memory (a shared
# counter in the database would cost queries on every request; N processes allow N× the pace).
# With REDIS_URL both live in Redis: one cache and one set of counters for every web node.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gridproxy_cache",
        # culling counts the table on every write: make it rare (expired rows are reused)
        "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 10},
    },
    "counters": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    _redis = {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # a Redis that does not answer fails the request in a second, not a worker's timeout
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": "c"},
        "counters": {**_redis, "KEY_PREFIX": "n"},
    }

# the public Open311 list (GET requests.json) answered from the shared cache for this many seconds
# after one render: every client asking the same question within it gets the same answer
# (ADR 0036). 0 (the default here and in tests): rendered for every request; production: 5
OPEN311_LIST_CACHE_SECONDS = int(os.environ.get("OPEN311_LIST_CACHE_SECONDS", "0"))

# --- Read replicas (ADR 0031) -----------------------------------------------------------------
# DATABASE_REPLICA_URLS: comma-separated streaming replicas of DATABASE_URL. The read-heavy GET
# paths below go to a replica that has replayed the requester's last write (read-your-writes:
# core/db/); everything else, and every worker and command, uses the primary.
DATABASE_REPLICAS = []
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _alias = f"replica{_index}"
    DATABASES[_alias] = database_from_url(_url)
    # a replica that does not answer is given up on quickly: the primary serves instead
    DATABASES[_alias]["OPTIONS"]["connect_timeout"] = 2
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["core.db.router.ReplicaRouter"]
# a replica whose replay is further behind than this (seconds, while there is WAL to replay) is
# left alone until it catches up
DATABASE_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("DATABASE_REPLICA_MAX_LAG_SECONDS", "10"))
# how often each web process asks a replica how far it has replayed
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", "1"))
# GET/HEAD paths a replica may answer (regular expressions on the path): tiles, figures and
# exports, lists, the field app's day list, notifications and sync feed, the public board and
# notices, Open311 reads
DATABASE_REPLICA_PATHS = env_list(
    "DATABASE_REPLICA_PATHS",
    [
        r"^/api/v1/tiles/",
        r"^/api/v1/(stats|coverage|register|audit)/",
        r"^/api/v1/assessment/",
        r"^/api/v1/(appointments|cases|complaints|suggestions|visits|inspections|notices)/$",
        r"^/api/v1/(areas|grids|staff|service-items|windows)/$",
        r"^/api/v1/me/(tasks|notifications)/$",
        r"^/api/v1/sync/$",
        r"^/api/v1/public/",
        r"^/board/",
        r"^/open311/v2/(services|requests)",
    ],
)
# answers say which database served them (X-Database-Route): for the cluster tests and operators
DATABASE_ROUTE_HEADER = env_bool("DATABASE_ROUTE_HEADER", False)

# --- Wiring between apps ----------------------------------------------------------------------
# The spatial core asks the people app who may see and change which areas and grids.
GEO_ACCESS_POLICY = "people.scope.PeopleGeoPolicy"
# A grid edit ends the retired grids' assignments and staffs the new ones, then re-routes the
# open appointments it moved, in the edit's transaction, in this order (geo.hooks).
GEO_EDIT_HOOKS = [
    "people.grid_hooks.staff_changed_grids",
    "appointments.grid_hooks.reroute_changed_grids",
]
