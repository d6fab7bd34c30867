"""Thin Celery tasks: ids in, one service call each. Safe to run twice (the services check the row)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from . import services
from .models import RunKind

logger = logging.getLogger(__name__)


@shared_task(name="scoring.process_run", acks_late=True, ignore_result=True, max_retries=30,
             autoretry_for=(services.RefreshBusy, OperationalError), retry_backoff=15, retry_backoff_max=300,
             retry_jitter=True)
def process_run(run_id: int) -> None:
    """Compute one score run (waits its turn while another refresh runs)."""
    services.score_run_process(run_id=run_id)


@shared_task(name="scoring.refresh_customers", acks_late=True, ignore_result=True)
def refresh_customers(customer_ids: list[int], batch_id: int | None = None) -> None:
    """After an ingest batch (sent by name from the transactions floor): rescore the customers it touched."""
    run = services.score_run_for_batch(customer_ids=customer_ids, batch_id=batch_id)
    process_run.delay(run.pk)


@shared_task(name="scoring.refresh_all", acks_late=True, ignore_result=True)
def refresh_all() -> None:
    """Beat, nightly: rank every customer again and store new cut-offs."""
    run = services.score_run_create(kind=RunKind.FULL)
    process_run.delay(run.pk)


@shared_task(name="scoring.sweep_stuck_runs", ignore_result=True)
def sweep_stuck_runs() -> None:
    """Beat: queue again the runs left queued or running (a lost message, a dead worker)."""
    for run_id in services.runs_to_requeue():
        logger.warning("score run %s was stuck; queuing it again", run_id)
        process_run.delay(run_id)
