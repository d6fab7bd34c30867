"""The worker's service: counting, duplicates, balances, touched customers, resuming, locking, statuses."""

import datetime as dt
from decimal import Decimal

import kombu.exceptions
import psycopg2
import pytest
from django.db import connection

from accounts.tests.factories import AccountFactory
from crm_site.locks import advisory_lock
from transactions.models import BatchStatus, BatchStatusError, IngestBatch, Transaction
from transactions.services import batch_process
from transactions.services.ingest import LOCK_CLASS, scores_refresh_request

from .feeds import OTHER_ACCOUNT_NO, aware, batch_from, counts, feed_text, ingest, reasons_of, row

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What the worker's death looks like from inside: nothing catches it, nothing is marked failed."""


def test_loading_the_same_file_twice_inserts_nothing_the_second_time(account):
    text = feed_text([row(external_id=f"T{n}") for n in range(5)] + [row(external_id="BAD", amount="x")])
    first = ingest(text)
    second = ingest(text, name="again.csv")
    assert counts(first) == (6, 5, 0, 1)
    assert counts(second) == (6, 0, 5, 1)
    assert Transaction.objects.count() == 5
    assert set(Transaction.objects.values_list("batch", flat=True)) == {first.pk}


def test_rows_repeated_inside_one_file_count_once_then_as_duplicates(account):
    rows = [row(external_id="A"), row(external_id="B"), row(external_id="A"), row(external_id="A", amount="99.00")]
    batch = ingest(feed_text(rows))
    assert counts(batch) == (4, 2, 2, 0)
    assert Transaction.objects.filter(external_id="A").count() == 1


def test_the_same_external_id_on_another_channel_is_another_transaction(account):
    batch = ingest(feed_text([row(external_id="X", channel="POS"), row(external_id="X", channel="ATM")]))
    assert counts(batch) == (2, 2, 0, 0)


def test_repeats_across_chunks_are_duplicates_and_the_counts_add_up(account, small_chunks):
    rows = [row(external_id=f"T{n % 4}") for n in range(10)] + [row(external_id="Z", direction="?")]
    batch = ingest(feed_text(rows))
    assert batch.chunks_done == 4
    assert counts(batch) == (11, 4, 6, 1)
    assert batch.received == batch.inserted + batch.duplicates + batch.rejected
    assert batch.rows_total == batch.rows_done == 11


def test_the_newest_balance_after_per_account_updates_the_account(account, other_account, small_chunks):
    rows = [
        row(external_id="1", occurred_at="2025-03-01T09:00:00+08:00", balance_after="900.00"),
        row(external_id="2", occurred_at="2025-03-03T09:00:00+08:00", balance_after="700.00"),  # newest
        row(external_id="3", occurred_at="2025-03-02T09:00:00+08:00", balance_after="800.00"),
        row(external_id="4", occurred_at="2025-03-04T09:00:00+08:00", balance_after=""),  # no balance given
        row(external_id="5", occurred_at="2025-03-05T09:00:00+08:00", balance_after="1.00", amount="bad"),  # rejected
        row(external_id="6", account_no=OTHER_ACCOUNT_NO, occurred_at="2025-02-01T00:00:00Z", balance_after="-12.34"),
    ]
    ingest(feed_text(rows))
    account.refresh_from_db()
    other_account.refresh_from_db()
    assert (account.balance, account.balance_as_of) == (Decimal("700.00"), aware("2025-03-03T09:00:00+08:00"))
    assert (other_account.balance, other_account.balance_as_of) == (Decimal("-12.34"), aware("2025-02-01T00:00:00Z"))


def test_a_balance_older_than_the_accounts_is_ignored(account):
    account.balance, account.balance_as_of = Decimal("5000.00"), aware("2025-06-01T00:00:00+08:00")
    account.save(update_fields=["balance", "balance_as_of"])
    ingest(feed_text([row(occurred_at="2025-05-31T23:00:00+08:00", balance_after="1.00")]))
    account.refresh_from_db()
    assert (account.balance, account.balance_as_of) == (Decimal("5000.00"), aware("2025-06-01T00:00:00+08:00"))


def test_a_finished_batch_records_its_customers_and_asks_for_their_scores_on_commit(
        account, other_account, no_broker, django_capture_on_commit_callbacks):
    batch = batch_from(feed_text([row(external_id="A"), row(external_id="B", account_no=OTHER_ACCOUNT_NO),
                                  row(external_id="C", amount="bad")]))
    with django_capture_on_commit_callbacks(execute=True):
        batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    expected = sorted([account.customer_id, other_account.customer_id])
    assert batch.touched_customer_ids == expected
    assert ("scoring.refresh_customers", {"customer_ids": expected, "batch_id": batch.pk}) in no_broker
    assert batch.score_refresh_sent_at is not None


def test_a_broker_error_on_the_score_refresh_does_not_fail_the_batch(account, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr("transactions.services.ingest.queueing.current_app.send_task", broker_down)
    batch = batch_from(feed_text([row()]))
    with django_capture_on_commit_callbacks(execute=True):
        batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert batch.score_refresh_sent_at is None  # the sweeper sends it later
    assert scores_refresh_request(batch_id=batch.pk) is False


def test_a_batch_that_loaded_nothing_asks_for_no_refresh(account, no_broker, django_capture_on_commit_callbacks):
    batch = batch_from(feed_text([row(amount="bad")]))
    with django_capture_on_commit_callbacks(execute=True):
        batch_process(batch_id=batch.pk)
    assert not [name for name, _ in no_broker if name == "scoring.refresh_customers"]


@pytest.mark.parametrize("killed_after", [1, 2, 3])
def test_a_worker_that_dies_after_chunk_k_resumes_with_exact_counts(account, small_chunks, killed_after):
    rows = [row(external_id=f"T{n}") for n in range(8)] + [row(external_id="T1"), row(external_id="R", mcc="x")]
    batch = batch_from(feed_text(rows))  # 10 rows: chunks of 3, 3, 3, 1

    def die(current, chunks_done):
        if chunks_done == killed_after:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        batch_process(batch_id=batch.pk, after_chunk=die)
    batch.refresh_from_db()
    assert (batch.status, batch.chunks_done, batch.rows_done) == (BatchStatus.RUNNING, killed_after, 3 * killed_after)
    assert batch.received == batch.inserted + batch.duplicates + batch.rejected == 3 * killed_after
    assert Transaction.objects.count() == batch.inserted

    batch_process(batch_id=batch.pk)  # the message comes back (acks_late) or the sweeper sends it again
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert counts(batch) == (10, 8, 1, 1)
    assert (batch.attempts, batch.chunks_done) == (2, 4)
    assert Transaction.objects.count() == 8
    assert reasons_of(batch) == {10: ["bad_mcc"]}


def test_a_batch_locked_by_another_worker_is_left_alone(account):
    batch = batch_from(feed_text([row()]))
    other = psycopg2.connect(**{key: value for key, value in connection.get_connection_params().items()
                                if key != "cursor_factory"})
    try:
        with advisory_lock(LOCK_CLASS, batch.pk, connection=other) as locked:
            assert locked
            assert batch_process(batch_id=batch.pk) is None
            batch.refresh_from_db()
            assert (batch.status, batch.received) == (BatchStatus.QUEUED, 0)
    finally:
        other.close()
    assert batch_process(batch_id=batch.pk).status == BatchStatus.DONE


def test_running_a_finished_batch_again_does_nothing(account):
    batch = ingest(feed_text([row()]))
    assert counts(batch) == (1, 1, 0, 0)
    batch_process(batch_id=batch.pk)
    assert counts(batch) == (1, 1, 0, 0)
    assert batch_process(batch_id=999_999) is None


def test_an_unexpected_error_fails_the_batch_with_its_message(account, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("transactions.services.validation.chunk_validate", broken)
    batch = ingest(feed_text([row()]))
    assert batch.status == BatchStatus.FAILED
    assert "RuntimeError: disk on fire" in batch.error
    assert batch.finished_at is not None


def test_an_unexpected_error_quoting_a_row_leaves_the_row_out_of_the_log(account, monkeypatch, caplog):
    """A database error's DETAIL names the values of a row: the batch keeps it for staff, the log does not."""
    def broken(*args, **kwargs):
        raise RuntimeError('duplicate key value violates unique constraint DETAIL: Key (account_no)=(6222020000000099)')

    monkeypatch.setattr("transactions.services.validation.chunk_validate", broken)
    with caplog.at_level("DEBUG"):
        batch = ingest(feed_text([row()]))
    assert batch.status == BatchStatus.FAILED
    assert "6222020000000099" in batch.error
    assert "6222020000000099" not in caplog.text
    assert f"ingest batch {batch.pk} failed: RuntimeError at " in caplog.text


def test_a_missing_stored_file_fails_the_batch(account):
    batch = batch_from(feed_text([row()]))
    batch.file.delete(save=False)
    batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "FileNotFoundError" in batch.error


@pytest.mark.parametrize(("start", "target"), [
    (BatchStatus.QUEUED, BatchStatus.DONE),
    (BatchStatus.RUNNING, BatchStatus.QUEUED),
    (BatchStatus.DONE, BatchStatus.RUNNING),
    (BatchStatus.FAILED, BatchStatus.DONE),
])
def test_the_status_machine_refuses_transitions_outside_its_table(start, target):
    batch = IngestBatch.objects.create(source="file", status=start)
    with pytest.raises(BatchStatusError):
        batch.transition_to(target)
    batch.refresh_from_db()
    assert batch.status == start


def test_of_two_racing_status_changes_only_the_first_wins():
    batch = IngestBatch.objects.create(source="file")
    stale = IngestBatch.objects.get(pk=batch.pk)
    batch.transition_to(BatchStatus.RUNNING)
    with pytest.raises(BatchStatusError):
        stale.transition_to(BatchStatus.RUNNING)


def test_the_database_refuses_counts_that_do_not_add_up():
    from django.db import IntegrityError, transaction

    batch = IngestBatch.objects.create(source="file")
    with pytest.raises(IntegrityError), transaction.atomic():
        IngestBatch.objects.filter(pk=batch.pk).update(received=1)


def test_a_large_balance_and_many_accounts_load_in_one_chunk(db):
    accounts = [AccountFactory() for _ in range(5)]
    rows = [row(external_id=f"M{n}", account_no=accounts[n % 5].account_no, balance_after="9999999999999999.99",
                occurred_at=(aware("2025-01-01T00:00:00+08:00") + dt.timedelta(hours=n)).isoformat())
            for n in range(20)]
    batch = ingest(feed_text(rows))
    assert counts(batch) == (20, 20, 0, 0)
    assert all(a.balance == Decimal("9999999999999999.99") for a in type(accounts[0]).objects.filter(
        pk__in=[a.pk for a in accounts]))
