"""Development: the laptop and `make run`. Keys default to fixed development values."""

from crm_site import embedded

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, cache_settings, celery_url, database_settings, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-secret-key-not-for-production-use-0123456789")
# Development keys: fine for demo data, never for real customers (production has no default).
PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=["ZGV2LW9ubHktZmVybmV0LWtleS1ub3Qtc2VjcmV0ISE="])
PII_HMAC_KEY = env("PII_HMAC_KEY", default="dev-only-hmac-key")
# Demo data (DESIGN §1): the dev-only app with `seed_demo`; production installs neither and refuses the command.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
DEMO_DATA_ALLOWED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The embedded default (DESIGN §3): with DATABASE_URL / REDIS_URL unset, private servers under .data/.
DATABASE_URL = env("DATABASE_URL", default="") or embedded.postgres_url()
REDIS_URL = env("REDIS_URL", default="") or embedded.redis_url()
DATABASES = database_settings(DATABASE_URL)
CACHES = cache_settings(REDIS_URL)
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_url(REDIS_URL)
WHITENOISE_USE_FINDERS = True  # serve static/ without collectstatic when developing
