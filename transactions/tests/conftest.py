"""Fixtures of the ingest tests: accounts to post to, feed files, batches and a worker run."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import AccountFactory

from .feeds import ACCOUNT_NO, OTHER_ACCOUNT_NO


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Stored feed files go to a temporary directory, not .data/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def real_broker():
    """Ask for this to send tasks to the configured Redis (and turn no_broker off)."""


@pytest.fixture(autouse=True)
def no_broker(request, monkeypatch):
    """Nothing is sent to Redis unless a test asks for real_broker: what would be sent is recorded.

    The batch row is the work; these tests run the worker's service themselves (batch_process).
    """
    sent = []
    if "real_broker" in request.fixturenames:
        return sent
    # both nudges go by task name: the ingest with the batch id in args, the score refresh with kwargs
    monkeypatch.setattr("transactions.services.ingest.queueing.current_app.send_task",
                        lambda name, args=None, kwargs=None, **options:
                        sent.append((name, args if kwargs is None else kwargs)))
    return sent


@pytest.fixture
def small_chunks(settings):
    settings.INGEST_CHUNK_ROWS = 3
    return 3


@pytest.fixture
def account(db):
    return AccountFactory(account_no=ACCOUNT_NO, currency="CNY", balance=Decimal("1000.00"), balance_as_of=None)


@pytest.fixture
def other_account(db):
    return AccountFactory(account_no=OTHER_ACCOUNT_NO, currency="USD", balance=Decimal("50.00"), balance_as_of=None)


