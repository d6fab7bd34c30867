"""End to end with a real Celery worker on the configured Redis and PostgreSQL (no stand-ins)."""

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.db import connection

from accounts.tests.factories import AccountFactory
from crm_site.celery import app as celery_app
from transactions.models import BatchStatus, IngestBatch, Transaction

from .feeds import feed_text, row

pytestmark = pytest.mark.slow


@pytest.fixture
def celery_worker():
    """A real worker in threads of this process (as in tests/test_health.py), consuming from Redis.

    Built and run in a thread of its own: Celery's Django fixup closes the database connections of
    the thread that starts a worker, which here would be the test's own.
    """
    started, stop, failures = threading.Event(), threading.Event(), []

    def run():
        try:
            with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=10):
                started.set()
                stop.wait()
        except BaseException as exc:
            failures.append(exc)
            started.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="celery-ingest-worker", daemon=True)
    thread.start()
    assert started.wait(timeout=30), "the Celery worker did not start"
    if failures:
        raise failures[0]
    yield
    stop.set()
    thread.join(timeout=15)
    assert not thread.is_alive(), "the Celery worker did not stop"


def _wait_until_finished(batch_id: int, timeout: float = 60) -> IngestBatch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = IngestBatch.objects.get(pk=batch_id)
        if not batch.is_active:
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} still {batch.status} after {timeout} s")


def test_a_real_worker_ingests_a_file_end_to_end(reference_data, real_broker, celery_worker, settings, tmp_path):
    settings.INGEST_CHUNK_ROWS = 7
    accounts = [AccountFactory() for _ in range(3)]
    rows = [row(external_id=f"W{n:03d}", account_no=accounts[n % 3].account_no, balance_after=f"{100 + n}.00",
                occurred_at=f"2025-03-01T10:{n:02d}:00+08:00") for n in range(30)]
    rows += [row(external_id="W000", account_no=accounts[0].account_no), row(external_id="BAD", amount="1e5")]
    path = tmp_path / "pos.csv"
    path.write_text(feed_text(rows, line_end="\r\n"), encoding="utf-8-sig")

    call_command("ingest_transactions", str(path))  # records the batch, queues it on commit
    batch = _wait_until_finished(IngestBatch.objects.get().pk)

    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.received, batch.inserted, batch.duplicates, batch.rejected) == (32, 30, 1, 1)
    assert batch.chunks_done == 5 and batch.attempts == 1
    assert Transaction.objects.count() == 30
    assert sorted(batch.touched_customer_ids) == sorted({a.customer_id for a in accounts})
    accounts[2].refresh_from_db()
    assert str(accounts[2].balance) == "129.00"  # W029, the newest of its account
