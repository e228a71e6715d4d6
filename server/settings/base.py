"""Settings shared by every use; each value that differs per machine comes from the environment.

Deny by default: every API view needs an authenticated user unless it says otherwise.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # ETag on every GET answer; If-None-Match with it → 304 (phones re-polling their lists)
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "idempotency.middleware.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.api.middleware.ApiErrorMiddleware",
]

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

# Spatial reference: storage is WGS-84; lengths and areas are measured in metres on geography.
SRID = 4326

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
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
    # several models have a `status` or `kind`: each choice set gets its own schema name
    "ENUM_NAME_OVERRIDES": {
        "AppointmentStatusEnum": "appointments.models.Status",
        "CaseStatusEnum": "cases.models.Status",
        "SuggestionStatusEnum": "feedback.models.Suggestion.Status",
        "ComplaintStatusEnum": "feedback.models.Complaint.Status",
        "CustodyHolderEnum": "cases.models.Holder",
        "RegisterEntryKindEnum": "cases.models.RegisterEntry.Kind",
        "AssignmentKindEnum": "people.models.GridAssignment.Kind",
    },
    # the default enum hook, then `Idempotency-Key` on every POST and PATCH under /api/v1/
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "idempotency.schema.add_idempotency_key_header",
    ],
}

# django-q2: the ORM broker by default (no extra service); Redis when REDIS_URL is set.
Q_CLUSTER = {
    "name": "gridproxy",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "catch_up": False,
    "orm": "default",
    "label": "Background tasks",
}
if os.environ.get("REDIS_URL"):
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = os.environ["REDIS_URL"]

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

# A cache every process shares (web workers, the qcluster): the database by default, Redis when
# REDIS_URL is set. django-q2 reports its clusters through it, so /healthz can see the worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gridproxy_cache",
        # culling counts the table on every write: make it rare (expired rows are reused)
        "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 10},
    }
}
# Per-process counters for the staff intake throttle: it only stops runaway clients, and a
# shared counter would cost five queries on every staff booking.
CACHES["local"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# Spatial rules (geo/): tolerances and limits, all in metres / square metres.
GEO = {
    # a child area or grid may stick out of its parent by at most this many metres
    "PARENT_TOLERANCE_M": float(os.environ.get("GEO_PARENT_TOLERANCE_M", "5")),
    # grids of one community may overlap by at most this many square metres
    "OVERLAP_TOLERANCE_M2": float(os.environ.get("GEO_OVERLAP_TOLERANCE_M2", "1")),
    # coverage gaps and overlaps smaller than this are numerical noise, not findings
    "COVERAGE_MIN_AREA_M2": float(os.environ.get("GEO_COVERAGE_MIN_AREA_M2", "1")),
    "MAX_VERTICES": int(os.environ.get("GEO_MAX_VERTICES", "20000")),
    # a point in no grid goes to the nearest grid within this distance (outside coverage)
    "NEAREST_GRID_MAX_M": float(os.environ.get("GEO_NEAREST_GRID_MAX_M", "500")),
    # import --make-valid refuses a repair changing a feature's area by more than this percentage
    "REPAIR_MAX_AREA_CHANGE_PERCENT": float(
        os.environ.get("GEO_REPAIR_MAX_AREA_CHANGE_PERCENT", "1")
    ),
}
# Request bodies above this are refused with `payload_too_large` (a polygon of MAX_VERTICES fits).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BYTES", str(2 * 1024 * 1024)))

# People (people/): availability, positions, login throttling.
PEOPLE = {
    # an agent with no own schedule works these hours on working days
    "DEFAULT_WORK_HOURS": [("08:30", "12:00"), ("13:30", "17:30")],
    # the most open matters an agent carries at once (per-agent override on the profile)
    "OPEN_WORK_CAP": int(os.environ.get("OPEN_WORK_CAP", "8")),
    # positions older or less accurate than this are not used for routing
    "POSITION_MAX_AGE_MINUTES": int(os.environ.get("POSITION_MAX_AGE_MINUTES", "30")),
    "POSITION_MAX_ACCURACY_M": float(os.environ.get("POSITION_MAX_ACCURACY_M", "200")),
    "POSITION_RETENTION_DAYS": int(os.environ.get("POSITION_RETENTION_DAYS", "30")),
    "POSITION_BATCH_MAX": 500,
    # failed logins per username and per client address before a pause
    "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
    "LOGIN_LOCKOUT_SECONDS": int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900")),
}

# The spatial core asks the people app who may see and change which areas and grids.
GEO_ACCESS_POLICY = "people.scope.PeopleGeoPolicy"

# Service catalogue (catalogue/): one-time notices are rendered in the background per version.
CATALOGUE = {"PRERENDER_NOTICES": env_bool("PRERENDER_NOTICES", True)}

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

# Appointments and routing (appointments/).
APPOINTMENTS = {
    # minutes of the routed agent's working time to confirm or decline (per station override)
    "CONFIRM_MINUTES": int(os.environ.get("CONFIRM_MINUTES", "30")),
    # Fernet key for resident ID numbers at rest, and the key of their look-up hash
    "RESIDENT_ID_KEY": os.environ.get("RESIDENT_ID_KEY", ""),
    "RESIDENT_ID_HASH_KEY": os.environ.get("RESIDENT_ID_HASH_KEY", ""),
    # how many times routing retries when a chosen agent filled up concurrently
    "ROUTING_RETRIES": 5,
    # the fallback to a community's other grids looks at this many of the nearest ones
    "COMMUNITY_GRIDS": int(os.environ.get("ROUTING_COMMUNITY_GRIDS", "8")),
}
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
CASES = {
    # the light turns yellow when this share of the proxy limit (working days) has elapsed
    "YELLOW_PERCENT": int(os.environ.get("CASES_YELLOW_PERCENT", "80")),
    # overdue escalation: the agent when overdue, the station manager this many working days
    # later, the street/town centre lead as many again
    "ESCALATION_STEP_DAYS": int(os.environ.get("CASES_ESCALATION_STEP_DAYS", "1")),
    # where forwarded matters go: the provincial platform integration fills this interface later
    "OUTBOUND": os.environ.get("CASES_OUTBOUND", "cases.outbound.ManualOutbound"),
    # signature photos for a return: the largest accepted upload
    "SIGNATURE_MAX_BYTES": int(os.environ.get("CASES_SIGNATURE_MAX_BYTES", str(5 * 1024 * 1024))),
}
VISITS = {
    # a check-in farther than this from the home is flagged (metres)
    "CHECKIN_RADIUS_M": float(os.environ.get("VISITS_CHECKIN_RADIUS_M", "200")),
}
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
SYNC = {
    # change-log rows older than this are purged; a cursor from before answers resync_required
    "RETENTION_DAYS": int(os.environ.get("SYNC_RETENTION_DAYS", "30")),
    # changes per page
    "PAGE_SIZE": int(os.environ.get("SYNC_PAGE_SIZE", "500")),
}
# /map/: optional raster basemap in Web Mercator, e.g. 天地图 vec_w WMTS with a browser key and
# subdomains 01234567 (CGCS2000 ≈ WGS-84; AMap/Tencent would need GCJ-02). None by default.
MAP_BASEMAP_URL = os.environ.get("MAP_BASEMAP_URL", "")
MAP_BASEMAP_ATTRIBUTION = os.environ.get("MAP_BASEMAP_ATTRIBUTION", "")
MAP_BASEMAP_SUBDOMAINS = os.environ.get("MAP_BASEMAP_SUBDOMAINS", "")
# how many reverse proxies put the client's address in X-Forwarded-For (0: trust none and use
# the connection's address, so a spoofed header cannot dodge the public throttles)
REST_FRAMEWORK["NUM_PROXIES"] = int(os.environ.get("TRUSTED_PROXIES", "0"))
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "core.api.throttles.PerUserThrottle",
    "core.api.throttles.PerAddressThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    # every API view, per signed-in user and per client address (core/api/throttles.py)
    "per_user": os.environ.get("THROTTLE_PER_USER", "600/minute"),
    "per_address": os.environ.get("THROTTLE_PER_ADDRESS", "1800/minute"),
    # public suggestions and complaints (and, counted apart, complaint look-ups) per client
    "feedback_anon": os.environ.get("THROTTLE_FEEDBACK_ANON", "10/hour"),
    "appointments_anon": os.environ.get("THROTTLE_APPOINTMENTS_ANON", "20/hour"),
    "appointments_staff": os.environ.get("THROTTLE_APPOINTMENTS_STAFF", "600/minute"),
    "track_anon": os.environ.get("THROTTLE_TRACK_ANON", "60/hour"),
    # Open311 GeoReport v2: new requests per API key, public reads per client address
    "open311_post": os.environ.get("THROTTLE_OPEN311_POST", "120/hour"),
    "open311_read": os.environ.get("THROTTLE_OPEN311_READ", "120/minute"),
}

# Attachments (attachments/): photos of documents and signatures on a case or a visit.
ATTACHMENTS = {
    # the largest accepted upload, in bytes (refused before the body is parsed when it says so)
    "MAX_BYTES": int(os.environ.get("ATTACHMENTS_MAX_BYTES", str(10 * 1024 * 1024))),
    # decompression-bomb guard: more pixels than this is refused before decoding
    "MAX_PIXELS": int(os.environ.get("ATTACHMENTS_MAX_PIXELS", str(50_000_000))),
    # the stored copy of a JPEG or HEIC photo is re-encoded as JPEG at this quality
    "JPEG_QUALITY": int(os.environ.get("ATTACHMENTS_JPEG_QUALITY", "85")),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["AttachmentKindEnum"] = (
    "attachments.models.Attachment.Kind"
)

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
