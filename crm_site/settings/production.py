"""Production: every secret must come from the environment; a missing one fails at start-up."""

import environ

from .base import *  # noqa: F403
from .base import cache_settings, celery_url, database_settings, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS")
PII_HMAC_KEY = env("PII_HMAC_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASE_URL = env("DATABASE_URL")
REDIS_URL = env("REDIS_URL")
_empty = [name for name, value in [("SECRET_KEY", SECRET_KEY), ("PII_ENCRYPTION_KEYS", PII_ENCRYPTION_KEYS),
                                   ("PII_HMAC_KEY", PII_HMAC_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS),
                                   ("DATABASE_URL", DATABASE_URL), ("REDIS_URL", REDIS_URL)] if not value]
if _empty:
    raise environ.ImproperlyConfigured(f"set these in the environment (they are empty): {', '.join(_empty)}")
DATABASES = database_settings(DATABASE_URL)
CACHES = cache_settings(REDIS_URL)
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_url(REDIS_URL)

MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=["admin", "manager"])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers and compose probe it over plain HTTP
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Campaign messages are really sent, and their unsubscribe links point at the public site: no fake gateway,
# no localhost default (campaigns/checks.py fails `check --deploy` naming the setting otherwise).
CAMPAIGN_GATEWAY = env("CAMPAIGN_GATEWAY", default="campaigns.backends.gateway.HttpGateway")
CAMPAIGN_PUBLIC_BASE_URL = env("CAMPAIGN_PUBLIC_BASE_URL", default="")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
