"""Thin Celery tasks: an id in, one service call. Safe to run twice (the services check the row)."""

from __future__ import annotations

from celery import shared_task

from .services.ingest import TRANSIENT_DB_ERRORS, batch_process
from .services.sweep import batches_sweep


@shared_task(name="transactions.ingest_batch", acks_late=True, ignore_result=True, max_retries=5,
             autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=5, retry_backoff_max=300, retry_jitter=True)
def ingest_batch(batch_id: int) -> None:
    """Load (or resume, or replay into) one ingest batch."""
    batch_process(batch_id=batch_id)


@shared_task(name="transactions.sweep_stuck_batches", ignore_result=True)
def sweep_stuck_batches() -> None:
    """Beat: queue again the batches stuck in queued/running past INGEST_STUCK_AFTER_MINUTES."""
    batches_sweep()
