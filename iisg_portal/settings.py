"""Settings for the IISG Coordination Portal, read from the environment (see .env.example)."""

from pathlib import Path

import environ
import pghistory
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The fallback key only exists so that `make run` works without configuration; check --deploy rejects it.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "csp",
    "iisg_portal",  # its management commands (seed_demo) and the cross-app pages
    "partners",
    "pillars",
    "ipas",
    "board",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "iisg_portal.odd_input.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Permissions-Policy on every page, no-store on signed-in pages and downloads (static files never get here).
    "iisg_portal.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a signed-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "iisg_portal.middleware.SessionLifetimeMiddleware",
    # Privileged roles set up and enter a second factor before anything else (iisg_portal/security.py).
    "iisg_portal.security.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Axes last: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iisg_portal.urls"
WSGI_APPLICATION = "iisg_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "iisg_portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/iisg"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if env.bool("DJANGO_DB_POOL", default=True):
    # Django's built-in psycopg 3 pool; persistent connections must then stay off.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 10}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partners.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions: 30 minutes idle, 12 hours at most (iisg_portal.middleware).
SESSION_COOKIE_AGE = 30 * 60
# Renewed by iisg_portal.middleware at most once a minute, not on every request (a write per page).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_INTERVAL = 60
SESSION_ABSOLUTE_MAX_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True

# Login protection (partners/sign_in_limits.py): failures count per account (the address typed, in any case)
# and per client address, each against its own limit; while either is over, even the right password is refused
# and the portal's 429 page says when to try again. An office behind one address shares the higher limit.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=30)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns that its parameters name no address: the handler below counts the address, against its own limit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_HANDLER = "partners.sign_in_limits.AccountAndAddressHandler"
# Both login forms (the portal's and the admin's) post "username"; axes looks for the USERNAME_FIELD otherwise.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "partners.sign_in_limits.account_of"
AXES_CLIENT_IP_CALLABLE = "partners.sign_in_limits.client_address"
AXES_LOCKOUT_CALLABLE = "partners.sign_in_limits.lockout_response"
# Attempts while locked do not push the time the page promised further back.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Proxies in front of the portal that append the client's address to X-Forwarded-For (0: REMOTE_ADDR is it).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
# Password-reset mails per hour (the Redis "throttle" cache): over the address's limit the 429 page answers;
# over the account's limit the usual page answers and no mail goes, so nobody learns which accounts exist.
PASSWORD_RESET_MAILS_PER_ADDRESS = 10
PASSWORD_RESET_MAILS_PER_ACCOUNT = 3

# Second factor (django-otp): TOTP apps and single-use recovery codes.
OTP_TOTP_ISSUER = "IISG Portal"
# The admin removes a lost device; it never shows anyone's key, QR code or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/Ljubljana"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="IISG Portal <portal@iisg.invalid>")

# Security headers. The HTTPS settings apply when DEBUG is off (production behind TLS).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Trusted only when configured: a client could otherwise claim HTTPS with a header of its own. Behind a proxy that
# ends TLS, e.g. DJANGO_SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (the proxy must overwrite the header).
if proxy_ssl_header := env.tuple("DJANGO_SECURE_PROXY_SSL_HEADER", default=()):
    if len(proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "DJANGO_SECURE_PROXY_SSL_HEADER is a header and its value, e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = proxy_ssl_header
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes are used for progress bars; scripts stay strictly same-origin.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Progress of jobs that write in one transaction (iisg_portal/progress.py): shared by every process.
    "progress": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("PROGRESS_KEY_PREFIX", default="iisg"),
        # Progress is best effort: an unreachable Redis costs a job a second, not minutes.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    # Counters of password-reset mails, shared by every web process (partners/sign_in_limits.py).
    "throttle": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("THROTTLE_KEY_PREFIX", default="iisg-throttle"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Tests give each run its own queue, so parallel runs on one Redis never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict = {
    # Each message expires before its next one is due, so a worker back after an outage does not run a pile of
    # stale copies (expire_seconds is what django-celery-beat keeps on the periodic task).
    "review-digest": {
        "task": "ipas.tasks.send_review_digest",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expire_seconds": 12 * 3600},
    },
    # The full duplication report, every night (staff can also run it from the report page).
    "duplication-nightly": {
        "task": "ipas.tasks.duplication_run_nightly",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expire_seconds": 12 * 3600},
    },
    # Imports and duplication runs no worker took (broker down) or a dead worker left are sent again.
    "resume-stalled-jobs": {
        "task": "ipas.tasks.resume_stalled_jobs",
        "schedule": crontab(minute="*/5"),
        "options": {"expire_seconds": 4 * 60},
    },
    "resume-stalled-packs": {
        "task": "board.tasks.meeting_packs_resume",
        "schedule": crontab(minute="*/5"),
        "options": {"expire_seconds": 4 * 60},
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Scripts: an API key; browsers: their session (with its CSRF token).
        "partners.api_auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IISG Coordination Portal API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors have no rights

# Absolute links in e-mails.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

IATI_REFERENCE_DIR = env.path("IATI_REFERENCE_DIR", default=BASE_DIR.parent / "shared" / "iati")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every page it lays out at INFO: hundreds of lines per report PDF in the worker's log.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Audit trail: inserts, updates and deletes of every tracked model, recorded by Postgres triggers.
# Append-only: a trigger on every event table refuses UPDATE and DELETE (TRUNCATE, as tests use, still works).
PGHISTORY_APPEND_ONLY = True
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
