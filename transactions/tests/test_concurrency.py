"""Two workers at once: overlapping batches land each row once; one batch is never processed twice at once."""

import threading

import pytest
from django.db import connection

from accounts.tests.factories import AccountFactory
from transactions.models import BatchStatus, Transaction
from transactions.services import batch_process

from .feeds import batch_from, counts, feed_text, row

pytestmark = pytest.mark.slow


def _in_threads(*jobs):
    """Run the jobs together, each in a thread with its own database connection; re-raise their errors."""
    start = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            start.wait()
            job()
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    if errors:
        raise errors[0]


def test_two_batches_with_overlapping_rows_processed_at_once_load_each_row_once(reference_data, settings):
    settings.INGEST_CHUNK_ROWS = 25
    accounts = [AccountFactory() for _ in range(6)]

    def rows(numbers):
        return [row(external_id=f"T{n:04d}", account_no=accounts[n % 6].account_no, balance_after=f"{n}.00",
                    occurred_at=f"2025-03-01T10:{n // 60 % 60:02d}:{n % 60:02d}+08:00") for n in numbers]

    first = batch_from(feed_text(rows(range(0, 300))), name="first.csv")
    second = batch_from(feed_text(rows(range(100, 400))), name="second.csv")  # rows 100-299 are in both
    _in_threads(lambda: batch_process(batch_id=first.pk), lambda: batch_process(batch_id=second.pk))

    assert Transaction.objects.count() == 400
    assert Transaction.objects.values("channel", "external_id").distinct().count() == 400
    results = [counts(first), counts(second)]
    for received, inserted, duplicates, rejected in results:
        assert (received, rejected) == (300, 0)
        assert inserted + duplicates == 300
    assert sum(inserted for _, inserted, _, _ in results) == 400
    assert sum(duplicates for _, _, duplicates, _ in results) == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == BatchStatus.DONE


def test_two_workers_given_the_same_batch_process_it_once(reference_data, settings):
    settings.INGEST_CHUNK_ROWS = 10
    account = AccountFactory()
    batch = batch_from(feed_text([row(external_id=f"S{n}", account_no=account.account_no) for n in range(100)]))
    _in_threads(lambda: batch_process(batch_id=batch.pk), lambda: batch_process(batch_id=batch.pk))
    assert counts(batch) == (100, 100, 0, 0)
    batch.refresh_from_db()
    assert batch.attempts == 1
