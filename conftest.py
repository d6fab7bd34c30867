"""Shared fixtures: the personas of STYLE.md, each a real login with its role's group."""

import importlib

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from branches import services as branch_services
from branches.tests.factories import BranchFactory

PASSWORD = "correct-horse-battery-staple"


# Data migrations that create reference data (role groups and their permissions, merchant
# categories). A transactional test (browser tests) flushes every table when it ends, and
# --reuse-db then starts the next run without these rows; each forwards() is idempotent.
REFERENCE_DATA_MIGRATIONS = [
    "branches.migrations.0002_role_groups",
    "branches.migrations.0003_kiosk_role",
    "customers.migrations.0002_role_permissions",
    "customers.migrations.0005_merge_permissions",
    "accounts.migrations.0002_role_permissions",
    "accounts.migrations.0003_import_permissions",
    "accounts.migrations.0005_fx_rate_permissions",
    "transactions.migrations.0002_merchant_categories",
    "transactions.migrations.0003_role_permissions",
    "scoring.migrations.0002_role_permissions",
    "campaigns.migrations.0002_role_permissions",
    "campaigns.migrations.0006_contact_response_permissions",
    "propensity.migrations.0002_role_permissions",
    "counter.migrations.0002_role_permissions",
]


def restore_reference_data():
    from django.apps import apps

    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).forwards(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        restore_reference_data()


def celery_pools_reset():
    """After an in-process worker stops, the app's connection pools are closed: let the next use open new ones.

    (What Celery does after a fork.) Without it, a later test's apply_async fails with "Acquire on
    closed pool", which the ingest entry points treat as a broker outage.
    """
    from crm_site.celery import app

    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None


@pytest.fixture
def celery_worker():
    """A real Celery worker, in threads of this process, consuming from the configured Redis.

    Built and run in a thread of its own: Celery's Django fixup closes the database connections of
    the thread that starts a worker, which here would be the test's own, mid-transaction.
    """
    import threading

    from celery.contrib.testing.worker import start_worker
    from django.db import connection

    from crm_site.celery import app

    # Messages an earlier test sent with no worker running (a batch's score request, a sweep) would
    # otherwise run now, beside this test's own work, and take locks it expects free.
    app.control.purge()
    started, stop, failures = threading.Event(), threading.Event(), []

    def run():
        try:
            with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
                started.set()
                stop.wait()
        except BaseException as exc:
            failures.append(exc)
            started.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="celery-test-worker", daemon=True)
    thread.start()
    assert started.wait(timeout=30), "the Celery worker did not start"
    if failures:
        raise failures[0]
    yield
    stop.set()
    thread.join(timeout=15)
    celery_pools_reset()
    assert not thread.is_alive(), "the Celery worker did not stop"


@pytest.fixture
def reference_data(transactional_db):
    """For transactional tests: the previous one's flush removed the reference data."""
    restore_reference_data()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the default language: a request in zh-hans leaves it active in the thread."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def branch(db):
    return BranchFactory(code="SH001", name="上海浦东支行", city="上海市")


@pytest.fixture
def other_branch(db):
    return BranchFactory(code="BJ001", name="北京朝阳支行", city="北京市")


def _staff(username, branch, role):
    return branch_services.staff_create(username=username, password=PASSWORD, branch=branch, role=role,
                                        first_name=username.title())


@pytest.fixture
def teller(branch):
    return _staff("teller", branch, "teller")


@pytest.fixture
def manager(branch):
    return _staff("manager", branch, "manager")


@pytest.fixture
def other_branch_manager(other_branch):
    return _staff("other_manager", other_branch, "manager")


@pytest.fixture
def admin_user(branch):
    return _staff("admin", branch, "admin")


@pytest.fixture
def channel_system(db):
    return branch_services.channel_system_create(username="pos_switch")


@pytest.fixture
def channel_token(channel_system):
    return Token.objects.create(user=channel_system)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(client):
    """client_for(user): the test client, logged in as that persona."""

    def login(user):
        client.force_login(user)
        return client

    return login
