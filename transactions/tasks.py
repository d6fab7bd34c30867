"""Thin Celery tasks: an id in, one service call. Safe to run twice (the services check the row)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from celery.signals import worker_ready

from crm_site.retry import TRANSIENT_DB_ERRORS

from .services.ingest import INGEST_BATCH_TASK, batch_process
from .services.sweep import batches_sweep


@shared_task(name=INGEST_BATCH_TASK, acks_late=True, ignore_result=True, max_retries=5,
             autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=5, retry_backoff_max=300, retry_jitter=True)
def ingest_batch(batch_id: int) -> None:
    """Load (or resume, or replay into) one ingest batch."""
    batch_process(batch_id=batch_id)


@shared_task(name="transactions.sweep_stuck_batches", ignore_result=True)
def sweep_stuck_batches(worker_started: bool = False) -> None:
    """Beat, every minute: queue again the batches stuck past INGEST_STUCK_AFTER_MINUTES, and the running
    ones no worker holds (orphans of a dead worker); right after a worker starts, every orphan at once."""
    batches_sweep(orphaned_after=dt.timedelta(0) if worker_started else None)


@worker_ready.connect
def orphaned_batches_resume(sender=None, **kwargs) -> None:
    """A worker that (re)starts sweeps for the batches a dead worker left running, through its own pool.

    Queued as a task rather than run here: the worker's main process keeps no database connection.
    """
    sweep_stuck_batches.apply_async(kwargs={"worker_started": True})
