"""One settings module: every difference between machines comes from environment variables.

Defaults give the embedded set-up (SQLite file, Celery eager). Production sets DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL.
"""
from datetime import timedelta

from celery.schedules import crontab
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Only the environment: no `.env` file is read here. The `.env` beside docker-compose.yml holds
# production's values for compose (.env.example); read by `make run` or the tests in the same
# checkout, its host names and empty secret would break both.

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# a form refused for an out-of-date token, sent from a page of this site, is kept to save (core/views.py)
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "django_ratelimit",
    "axes",
    "core",
    "entities",
    "relationships",
    "engagement",
    "scoring",
    "conflicts",
    "interchange",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # before the health check, so that its answer carries the headers of every other response
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    # every request, the container's health check too: once a minute, is beat sending work?
    "core.middleware.BackgroundWatchMiddleware",
    # before CommonMiddleware checks the host: the container's check asks by IP (SECURE_REDIRECT_EXEMPT)
    "core.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LoginRequiredMiddleware, keeping a form sent after its session ended
    "core.middleware.LoginRequiredKeepingFormsMiddleware",
    "core.middleware.RoleRequiredMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.HtmxSignInMiddleware",
    # last, as django-axes asks: it turns a lockout into the page below
    "axes.middleware.AxesMiddleware",
]

# Sign-in throttling (django-axes): 5 failed attempts for one username from one address lock that
# pair out for 15 minutes; a success resets the count. Attempts are kept in the database (admin).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# sign-in logs (time, address, browser) are deleted after this many days (core/housekeeping.py)
SIGN_IN_LOGS_KEPT_DAYS = env.int("SIGN_IN_LOGS_KEPT_DAYS", default=90)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.roles",
                "core.context_processors.recompute_banner",
                "core.context_processors.unsaved_form_waiting",
            ],
        },
    },
]

# every form in Bootstrap's look (core/form_rendering.py)
FORM_RENDERER = "core.form_rendering.TrackerFormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several requests at once (runserver's threads), and every request
    # saves its session: a transaction that read and then wrote (a meeting logged while the form's
    # suggestions were still being fetched) failed at once with "database is locked". IMMEDIATE
    # takes the write lock when a transaction begins, so writers wait their turn (up to `timeout`
    # seconds) instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Rate limits (survey answers, sign-in attempts) count in the cache: process memory in the embedded
# set-up, Redis in production (CACHE_URL=redis://...) so every web process shares the counts.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis down: an empty cache, the limits letting requests through, not a server error on every
    # API request (core/cache.py); a Redis that does not answer is given up on after a second
    CACHES["default"]["BACKEND"] = "core.cache.RedisCacheEmptyWhileDown"
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=1, socket_timeout=1)
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]  # a subclass of Django's RedisCache, which it supports
RATELIMIT_FAIL_OPEN = True

# Email (the weekly summary of the Following page): EMAIL_URL such as smtp+tls://user:pass@host:587;
# without it, emails are written to the console (the worker's log). SITE_URL makes their links.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tracker@localhost")
# seconds a mail server that does not answer may hold what sends through it (a page sending a
# confirmation link, a worker, beat alerting the administrators): Django's default is to wait forever
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SURVEY_ANSWER_RATE = env.str("SURVEY_ANSWER_RATE", default="20/h")
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # The embedded set-up serves from one process, where process memory is the shared cache.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Uploads of data sets can be large; the importer streams them from a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The latest imports keep their files (zipped, in the database) for analysts to download again;
# older ones keep only each file's SHA-256 and size. 0 keeps none.
IMPORTED_FILES_KEPT = env.int("IMPORTED_FILES_KEPT", default=20)
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Sessions end after a working day without activity.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    # Behind a TLS-terminating proxy (see docker-compose.yml).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's health check, over plain HTTP inside it
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# a list filter's unchosen option ("Kind: Any"), where django-filter's reads "---------"
FILTERS_EMPTY_CHOICE_LABEL = "Any"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.AnyRole"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.api_filters.KnownQueryParametersFilterBackend",
        "core.api_filters.KnownOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_RATE", default="100000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Community-policing relationship tracker API",
    "DESCRIPTION": "Entities, relationships, meetings, disclosures, closeness scores and conflict-of-interest flags.",
    "VERSION": "1.2.0",  # CHANGELOG.md says what changed in each
    # Swagger UI is served from local static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["core.permissions.AnyRole"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"FlagStatusEnum": "conflicts.models.Flag.Status"},
}

# --- Celery -----------------------------------------------------------------------------------
# Without a broker the tasks run eagerly in-process, so the embedded set-up needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Nothing reads a task's return value (the pages read what the tasks store), so none is kept: with a
# result backend every task sent from a web request also subscribed to its result, and when Redis
# was down that failed only after 20 s of retries, the evidence saved and the page a server error
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="tracker")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# A task is acknowledged only once it finished; if its worker dies it goes back to the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Time limits stay below Redis' visibility timeout so a running task is never redelivered twice.
# A broker that does not answer a connection is given up on after 2 s, not the system's two
# minutes: a web request sending a task waits at most that for each of Celery's four tries, then
# goes on without it (core/workers.py). Redis beside the app connects in milliseconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60), "socket_connect_timeout": 2}
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BEAT_SCHEDULE = {
    "nightly-full-recompute": {
        "task": "scoring.tasks.recompute_all_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # a recompute owed that no worker ran (its task not sent, the task queue down, or lost): scoring.models.OwedRecompute
    "owed-recompute": {
        "task": "scoring.tasks.recompute_owed_task",
        "schedule": crontab(minute="*/10"),
    },
    # the workers' heartbeat (core.models.WorkerHeartbeat), for the pages, /healthz/workers and the
    # status API; one not run within the minute is dropped (a worker back after a pause runs one, not all)
    "worker-heartbeat": {
        "task": "core.tasks.worker_heartbeat_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "nightly-housekeeping": {
        "task": "core.tasks.housekeeping_task",
        "schedule": crontab(hour=4, minute=30),
    },
    # after Monday's nightly recompute
    "weekly-following-summaries": {
        "task": "core.tasks.following_digests_task",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# tables scroll inside their own box on a phone rather than widening the page
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
