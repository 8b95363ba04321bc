"""Django settings for Tongxin, all read from the environment.

Secrets never live in this file: SECRET_KEY and the personal-data key come from the
environment or from files generated on first start in TONGXIN_DATA_DIR (outside the database).
"""

import os
from pathlib import Path

import dj_database_url

from tongxin.lib import crypto
from tongxin.lib.keys import create_private_file, load_or_create_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TONGXIN_DATA_DIR", BASE_DIR.parent / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DEBUG = env_bool("TONGXIN_DEBUG", False)
# demo: the showcase (known demo passwords, no second factor); standard: production defaults;
# mlps3: 等保 2.0 level 3 (password age and history, a second factor for every official, no superuser)
TONGXIN_SECURITY_PROFILE = os.environ.get("TONGXIN_SECURITY_PROFILE", "standard").strip().lower()
MLPS3 = TONGXIN_SECURITY_PROFILE == "mlps3"
SECRET_KEY = os.environ.get("TONGXIN_SECRET_KEY") or load_or_create_key(
    DATA_DIR / "secret_key", kind="django"
)
# Fernet key for personal data at rest (phone, ID card); kept outside the database.
FIELD_ENCRYPTION_KEY = os.environ.get("TONGXIN_FIELD_KEY") or load_or_create_key(
    DATA_DIR / "field_key", kind="fernet"
)
# National-algorithm profile (GB/T 39786): "national" writes personal data with SM4-GCM and chains
# the audit trail with HMAC-SM3; "standard": Fernet and HMAC-SHA256. Both are read either way.
TONGXIN_CRYPTO_PROFILE = os.environ.get("TONGXIN_CRYPTO_PROFILE", "standard").strip().lower()
crypto.configure(cipher=crypto.SM4 if TONGXIN_CRYPTO_PROFILE == "national" else crypto.FERNET)
# The audit trail's HMAC key (chain and signed checkpoints), outside the database like the field key.
AUDIT_CHAIN_KEY = os.environ.get("TONGXIN_AUDIT_KEY") or load_or_create_key(
    DATA_DIR / "audit_key", kind="django"
)
# signed checkpoints (append-only) and archives of the audit trail; ship them off the machine too
TONGXIN_AUDIT_DIR = Path(os.environ.get("TONGXIN_AUDIT_DIR", DATA_DIR / "audit"))
TONGXIN_AUDIT_SYSLOG = os.environ.get("TONGXIN_AUDIT_SYSLOG", "")  # /dev/log or host:514
TONGXIN_AUDIT_RETENTION_DAYS = env_int("TONGXIN_AUDIT_RETENTION_DAYS", 365)  # at least 180
# closed cases older than this keep only their archived history (cases/archive.py); 0: never
TONGXIN_CASE_ARCHIVE_AFTER_DAYS = env_int("TONGXIN_CASE_ARCHIVE_AFTER_DAYS", 365)
TONGXIN_AUDIT_CHECKPOINT_MINUTES = env_int("TONGXIN_AUDIT_CHECKPOINT_MINUTES", 15)
# backups (`tongxin backup`) and the restore drill (`tongxin restore_drill`, SECURITY.md row 21): the
# worker makes a backup and drills it every TONGXIN_RESTORE_DRILL_DAYS days (0: not scheduled,
# the demo profile's default); keep the directory apart from the keys and copy it off the machine
TONGXIN_BACKUP_DIR = Path(os.environ.get("TONGXIN_BACKUP_DIR", DATA_DIR / "backups"))
TONGXIN_RESTORE_DRILL_DAYS = env_int(
    "TONGXIN_RESTORE_DRILL_DAYS", 0 if TONGXIN_SECURITY_PROFILE == "demo" else 7
)
# PostgreSQL: the role the application connects as, when migrations run as another (the owner);
# it may not UPDATE, DELETE or TRUNCATE audit events
TONGXIN_DB_APP_ROLE = os.environ.get("TONGXIN_DB_APP_ROLE", "")
# an unmasked bulk export: at most this many people, downloadable this long after its approval
TONGXIN_EXPORT_MAX_ROWS = env_int("TONGXIN_EXPORT_MAX_ROWS", 5000)
TONGXIN_EXPORT_TTL_HOURS = env_int("TONGXIN_EXPORT_TTL_HOURS", 24)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("TONGXIN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("TONGXIN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "tongxin.core",
    "tongxin.accounts",
    "tongxin.audit",
    "tongxin.regions",
    "tongxin.organisations",
    "tongxin.people",
    "tongxin.households",
    "tongxin.cadres",
    "tongxin.gridwork",
    "tongxin.assessment",
    "tongxin.venues",
    "tongxin.estates",
    "tongxin.villages",
    "tongxin.twonew",
    "tongxin.jobs",
    "tongxin.cases",
    "tongxin.open311",
    "tongxin.notifications",
    "tongxin.partners",
    "tongxin.lists",
    "tongxin.meetings",
    "tongxin.members",
    "tongxin.activities",
    "tongxin.partylife",
    "tongxin.statistics",
    "tongxin.transfer",
    "tongxin.assurance",
    "tongxin.privacy",
    "tongxin.exchange",
    "tongxin.workbench",
    "tongxin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tongxin.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongxin.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongxin.core.dbrouter.ReplicaRoutingMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tongxin.accounts.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "tongxin.core.middleware.DenyByDefaultMiddleware",
]

ROOT_URLCONF = "tongxin.urls"
WSGI_APPLICATION = "tongxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongxin.core.context_processors.tongxin",
                "tongxin.notifications.context_processors.notifications",
                "tongxin.workbench.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tongxin.sqlite3'}"),
        conn_max_age=env_int("TONGXIN_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        create_private_file(Path(DATABASES["default"]["NAME"]))  # 0600, not the umask's 0644

# A streaming read replica (docs/scaling.md): reads that may lag (lists, figures, reports, exports)
# go there through tongxin.core.dbrouter; without it every read and write uses DATABASE_URL.
TONGXIN_REPLICA_URL = os.environ.get("TONGXIN_REPLICA_URL", "")
TONGXIN_REPLICA_PIN_SECONDS = env_int("TONGXIN_REPLICA_PIN_SECONDS", 10)
TONGXIN_REPLICA_MAX_LAG_SECONDS = env_int("TONGXIN_REPLICA_MAX_LAG_SECONDS", 30)
TONGXIN_REPLICA_RETRY_SECONDS = env_int("TONGXIN_REPLICA_RETRY_SECONDS", 30)
if TONGXIN_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        TONGXIN_REPLICA_URL, conn_max_age=env_int("TONGXIN_DB_CONN_MAX_AGE", 60)
    )
    # tests: the replica reads the primary's test database (on the standby when one replicates it)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tongxin.core.dbrouter.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy (docs/configuration.md); the mlps3 profile turns on composition, age and history.
TONGXIN_PASSWORD_MIN_LENGTH = env_int("TONGXIN_PASSWORD_MIN_LENGTH", 10)
TONGXIN_PASSWORD_MAX_LENGTH = env_int("TONGXIN_PASSWORD_MAX_LENGTH", 128)
TONGXIN_PASSWORD_CLASSES = env_int("TONGXIN_PASSWORD_CLASSES", 3 if MLPS3 else 0)
TONGXIN_PASSWORD_MAX_AGE_DAYS = env_int("TONGXIN_PASSWORD_MAX_AGE_DAYS", 90 if MLPS3 else 0)
TONGXIN_PASSWORD_HISTORY = env_int("TONGXIN_PASSWORD_HISTORY", 5 if MLPS3 else 0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": TONGXIN_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tongxin.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "tongxin.accounts.passwords.GuessableValidator"},
    {"NAME": "tongxin.accounts.passwords.CompositionValidator"},
    {"NAME": "tongxin.accounts.passwords.HistoryValidator"},
]
# Second factor (TOTP, recovery codes): "admins" (the three administrators), "officials" (every
# account) or "none"; the administrators need it whenever it is not "none".
TONGXIN_MFA_REQUIRED = os.environ.get(
    "TONGXIN_MFA_REQUIRED",
    {"mlps3": "officials", "demo": "none"}.get(TONGXIN_SECURITY_PROFILE, "admins"),
)
OTP_TOTP_ISSUER = "Tongxin"
TONGXIN_ACCOUNT_INACTIVE_DAYS = env_int("TONGXIN_ACCOUNT_INACTIVE_DAYS", 90 if MLPS3 else 0)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# 等保 2.0: an account is locked from one address after repeated failures (a sprayer elsewhere
# cannot lock an official out); the throttles slow failures per address and per account name.
AXES_FAILURE_LIMIT = env_int("TONGXIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("TONGXIN_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "tongxin.core.clients.client_address"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # the deadline sweep's queue indexes INCLUDE columns on PostgreSQL (index-only reads at a city's
    # backlog); SQLite builds them on their key columns alone, which is what the embedded size needs
    SILENCED_SYSTEM_CHECKS.append("models.W040")
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
TONGXIN_LOGIN_THROTTLE_PER_ADDRESS = env_int("TONGXIN_LOGIN_THROTTLE_PER_ADDRESS", 30)
TONGXIN_LOGIN_THROTTLE_PER_USERNAME = env_int("TONGXIN_LOGIN_THROTTLE_PER_USERNAME", 20)
TONGXIN_LOGIN_THROTTLE_MINUTES = env_int("TONGXIN_LOGIN_THROTTLE_MINUTES", 15)
# X-Forwarded-For is read only from these proxies (addresses or networks, comma-separated)
TONGXIN_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("TONGXIN_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Limits are counted in one store shared by every process: Redis when configured, else the database.
TONGXIN_REDIS_URL = os.environ.get("TONGXIN_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": TONGXIN_REDIS_URL}
        if TONGXIN_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tongxin_cache"}
    )
}
TONGXIN_PUBLIC_INTAKE_PER_HOUR = env_int("TONGXIN_PUBLIC_INTAKE_PER_HOUR", 10)
# `tongxin bench_intake` only: route /api/v1/bench/intake, the bare endpoint it compares with
TONGXIN_BENCH_ENDPOINTS = env_bool("TONGXIN_BENCH_ENDPOINTS", False)
# Open311 (tongxin/open311): a new key's hourly limit; whether GET requests needs no api_key
# (then anyone reads every case's public fields, limited per address)
TONGXIN_OPEN311_REQUESTS_PER_HOUR = env_int("TONGXIN_OPEN311_REQUESTS_PER_HOUR", 600)
TONGXIN_OPEN311_OPEN_READS = os.environ.get("TONGXIN_OPEN311_OPEN_READS", "") == "1"
TONGXIN_OPEN311_OPEN_READS_PER_HOUR = env_int("TONGXIN_OPEN311_OPEN_READS_PER_HOUR", 120)
# idle timeout (the cookie and the server-side row), and an absolute lifetime from the log-in
SESSION_COOKIE_AGE = env_int("TONGXIN_SESSION_MINUTES", 30) * 60
TONGXIN_SESSION_MAX_HOURS = env_int("TONGXIN_SESSION_MAX_HOURS", 10)
TONGXIN_TOKEN_DAYS = env_int("TONGXIN_TOKEN_DAYS", 90)
TONGXIN_TOKEN_OVERLAP_HOURS = env_int("TONGXIN_TOKEN_OVERLAP_HOURS", 24)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
# TLS (SECURITY.md row 6): behind HTTPS, every request is redirected to it, browsers are told to
# keep to it (HSTS) and cookies never travel in clear. The proxy in front sets X-Forwarded-Proto.
TONGXIN_TLS = env_bool("TONGXIN_TLS", False)
SESSION_COOKIE_SECURE = env_bool("TONGXIN_SECURE_COOKIES", TONGXIN_TLS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
if TONGXIN_TLS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("TONGXIN_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TONGXIN_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("TONGXIN_HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TONGXIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("TONGXIN_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# a request body other than files (a JSON body, a form's fields); larger answers 413
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("TONGXIN_BODY_MAX_BYTES", 20 * 1024 * 1024)
# uploads: one file, the files of one request, a whole request (tongxin.core.uploads)
TONGXIN_UPLOAD_MAX_BYTES = env_int("TONGXIN_UPLOAD_MAX_BYTES", 8 * 1024 * 1024)
TONGXIN_DOCUMENT_MAX_BYTES = env_int("TONGXIN_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("TONGXIN_UPLOAD_MAX_FILES", 10)
TONGXIN_REQUEST_MAX_BYTES = env_int("TONGXIN_REQUEST_MAX_BYTES", 50 * 1024 * 1024)
# /healthz answers 503 when no worker has written its heartbeat for this long
TONGXIN_WORKER_STALE_SECONDS = env_int("TONGXIN_WORKER_STALE_SECONDS", 300)
# Background tasks run on Django's Tasks API (the django-tasks backport). The database backend needs
# nothing more; for scale set TONGXIN_TASKS_BACKEND=django_tasks_rq.RQBackend (pip install
# django-tasks-rq, a Redis in RQ_QUEUES, `rqworker default` beside `tongxin worker`, which then only
# schedules): no code changes (docs/configuration.md).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TONGXIN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# a worker whose heartbeat is this old is dead (kill -9, lost host): its claimed tasks run again
TONGXIN_WORKER_DEAD_SECONDS = env_int("TONGXIN_WORKER_DEAD_SECONDS", 30)

# Map: no external tiles unless an intranet tile server is configured.
TONGXIN_TILE_URL = os.environ.get("TONGXIN_TILE_URL", "")
TONGXIN_TILE_ATTRIBUTION = os.environ.get("TONGXIN_TILE_ATTRIBUTION", "")
TONGXIN_TILE_MAX_ZOOM = env_int("TONGXIN_TILE_MAX_ZOOM", 18)

# Notifications: e-mail through Django's backend; a signed webhook for 企业微信/钉钉 bridges.
TONGXIN_BASE_URL = os.environ.get("TONGXIN_BASE_URL", "http://127.0.0.1:8000")
TONGXIN_WEBHOOK_URL = os.environ.get("TONGXIN_WEBHOOK_URL", "")
TONGXIN_WEBHOOK_SECRET = os.environ.get("TONGXIN_WEBHOOK_SECRET", "") or SECRET_KEY
EMAIL_BACKEND = os.environ.get("TONGXIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("TONGXIN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TONGXIN_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("TONGXIN_EMAIL_FROM", "tongxin@localhost")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# tokens in URLs (/track/…/<token>/, /screen/<token>/) never reach a log line (lib.redact)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "tongxin.lib.redact.RedactSecrets"}},
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "server": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "server"},
    },
    "loggers": {"django.server": {"handlers": ["server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGXIN_LOG_LEVEL", "WARNING")},
}
