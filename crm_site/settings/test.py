"""Tests: real PostgreSQL and Redis (DATABASE_URL/REDIS_URL, else the embedded ones)."""

from .dev import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
CELERY_TASK_ALWAYS_EAGER = False
# Tests never read the developer's .env file's secrets beyond what dev allows.
AXES_FAILURE_LIMIT = 3
# A test's rows are uncommitted: threads on other connections could not see them (the threaded
# path of the score store is exercised by the worker test and by bench/scoring.py)
SCORING_STORE_WORKERS = 1
# No role needs a one-time code unless a test asks for it (tests/test_two_factor.py), whatever the shell sets.
MFA_REQUIRED_ROLES: list[str] = []
