"""The beat sweeper and a broker that is down: the batch row is the work, the message only a nudge."""

import datetime as dt
from contextlib import contextmanager

import kombu.exceptions
import psycopg2
import pytest
from celery.signals import worker_ready
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from crm_site.locks import advisory_lock
from transactions import tasks
from transactions.models import BatchStatus, IngestBatch
from transactions.services import batch_process, batches_sweep
from transactions.services.ingest import LOCK_CLASS

from .feeds import batch_from, feed_text, row

pytestmark = pytest.mark.django_db


def _age(batch: IngestBatch, minutes: int) -> None:
    IngestBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=minutes))


def _queued(sent) -> list[int]:
    return [args[0] for name, args in sent if name == "transactions.ingest_batch"]


def test_the_sweeper_is_scheduled_on_beat():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["transactions-sweep-stuck-batches"]
    assert schedule["task"] == "transactions.sweep_stuck_batches" == tasks.sweep_stuck_batches.name
    assert schedule["schedule"] <= dt.timedelta(minutes=1)  # an orphaned batch resumes within a minute


def _orphan(batch: IngestBatch, *, seconds: int) -> None:
    """The batch was running when its worker died `seconds` ago: RUNNING, and nobody holds its lock."""
    IngestBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING,
                                                   updated_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_a_running_batch_no_worker_holds_is_requeued_at_the_next_minute_s_sweep(account, no_broker, settings):
    settings.INGEST_STUCK_AFTER_MINUTES, settings.INGEST_ORPHANED_AFTER_SECONDS = 15, 30
    orphan, just_now = batch_from(feed_text([row()])), batch_from(feed_text([row(external_id="T2")]))
    _orphan(orphan, seconds=45)
    _orphan(just_now, seconds=5)  # maybe between two chunks: left to the next sweep
    assert batches_sweep().requeued == [orphan.pk]
    assert _queued(no_broker) == [orphan.pk]
    assert batches_sweep().requeued == []  # one nudge per orphan per interval, not one per sweep
    batch_process(batch_id=orphan.pk)  # what the nudge does: it resumes
    orphan.refresh_from_db()
    assert (orphan.status, orphan.inserted) == (BatchStatus.DONE, 1)


def test_a_running_batch_a_live_worker_holds_is_never_requeued_however_quiet(account, no_broker):
    batch = batch_from(feed_text([row()]))
    _orphan(batch, seconds=45)
    other = psycopg2.connect(**{key: value for key, value in connection.get_connection_params().items()
                                if key != "cursor_factory"})
    try:
        with advisory_lock(LOCK_CLASS, batch.pk, connection=other) as locked:
            assert locked
            started = tasks.sweep_stuck_batches.apply(kwargs={"worker_started": True})
            result = batches_sweep()
    finally:
        other.close()
    assert started.successful()
    assert (result.requeued, result.busy) == ([], [batch.pk])
    assert _queued(no_broker) == []


def test_a_worker_that_starts_resumes_every_orphan_at_once(account, no_broker, monkeypatch):
    batch = batch_from(feed_text([row()]))
    _orphan(batch, seconds=0)
    sent = []
    monkeypatch.setattr(tasks.sweep_stuck_batches, "apply_async", lambda args=None, kwargs=None, **options:
                        sent.append(kwargs))
    worker_ready.send(sender=None)
    assert sent == [{"worker_started": True}]
    tasks.sweep_stuck_batches(**sent[0])  # what the worker then runs
    assert _queued(no_broker) == [batch.pk]


def test_the_sweeper_requeues_a_batch_stuck_in_queued(account, no_broker, settings):
    settings.INGEST_STUCK_AFTER_MINUTES = 15
    stuck, fresh = batch_from(feed_text([row()])), batch_from(feed_text([row()]))
    _age(stuck, 16)
    _age(fresh, 5)
    result = batches_sweep()
    assert result.requeued == [stuck.pk]
    assert _queued(no_broker) == [stuck.pk]
    stuck.refresh_from_db()
    assert timezone.now() - stuck.updated_at < dt.timedelta(minutes=1)  # not sent again at the next sweep
    assert batches_sweep().requeued == []


def test_the_sweeper_requeues_a_running_batch_whose_worker_died(account, small_chunks, no_broker):
    batch = batch_from(feed_text([row(external_id=f"T{n}") for n in range(6)]))

    def die(current, chunks_done):
        raise KeyboardInterrupt  # the worker is gone after its first chunk

    with pytest.raises(KeyboardInterrupt):
        batch_process(batch_id=batch.pk, after_chunk=die)
    _age(batch, 60)
    assert batches_sweep().requeued == [batch.pk]
    batch_process(batch_id=batch.pk)  # what the re-sent message does
    batch.refresh_from_db()
    assert (batch.status, batch.received, batch.inserted) == (BatchStatus.DONE, 6, 6)


def test_the_sweeper_leaves_a_running_batch_a_worker_still_holds(account):
    batch = batch_from(feed_text([row()]))
    IngestBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)
    _age(batch, 60)
    other = psycopg2.connect(**{key: value for key, value in connection.get_connection_params().items()
                                if key != "cursor_factory"})
    try:
        with advisory_lock(LOCK_CLASS, batch.pk, connection=other) as locked:
            assert locked
            result = batches_sweep()
    finally:
        other.close()
    assert (result.requeued, result.busy) == ([], [batch.pk])


def test_the_sweeper_keeps_trying_while_the_broker_is_down(account, monkeypatch):
    batch = batch_from(feed_text([row()]))
    _age(batch, 60)

    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr("transactions.services.ingest.queueing.current_app.send_task", broker_down)
    result = batches_sweep()
    assert (result.requeued, result.unreachable) == ([], [batch.pk])
    batch.refresh_from_db()
    assert timezone.now() - batch.updated_at > dt.timedelta(minutes=59)  # still due at the next sweep


def test_the_sweeper_sends_a_score_refresh_the_broker_missed(account, no_broker):
    batch = batch_from(feed_text([row()]))
    batch_process(batch_id=batch.pk)  # no on_commit here: the refresh was never sent
    batch.refresh_from_db()
    assert batch.score_refresh_sent_at is None
    _age(batch, 60)
    assert batches_sweep().refresh_sent == [batch.pk]
    assert ("scoring.refresh_customers", {"customer_ids": [account.customer_id], "batch_id": batch.pk}) in no_broker


def test_with_the_broker_unreachable_an_upload_is_still_recorded_as_queued(account, monkeypatch,
                                                                           django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr("transactions.services.ingest.queueing.current_app.send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = batch_from(feed_text([row()]))
    assert len(callbacks) == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED
    assert batch.file and batch.file.storage.exists(batch.file.name)


@contextmanager
def broker_at(url: str):
    """Point the Celery app at another broker for a while (its connection pools rebuilt around it)."""
    from crm_site.celery import app

    def pools_reset():
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    pools_reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        pools_reset()
        app.conf.broker_url = previous


def test_with_redis_unreachable_the_upload_is_recorded_and_the_error_logged(account, real_broker, caplog,
                                                                            django_capture_on_commit_callbacks):
    with broker_at("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        batch = batch_from(feed_text([row()]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.QUEUED
    assert "could not be queued" in caplog.text
