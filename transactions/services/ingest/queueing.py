"""Nudging the workers: the ingest task, and the score refresh a finished batch asks of the floor above.

Both go by task name (`current_app.send_task`), so this floor imports no task module: `transactions.tasks`
imports the services, never the other way round. A broker error is logged, not raised: the batch row is
the work, and the sweeper (services.sweep) queues again what a lost message left behind.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.utils import timezone

from crm_site.retry import BROKER_ERRORS
from transactions.models import IngestBatch

logger = logging.getLogger("transactions.services.ingest")

INGEST_BATCH_TASK = "transactions.ingest_batch"  # transactions.tasks.ingest_batch is registered under it
SCORES_REFRESH_TASK = "scoring.refresh_customers"  # on the scoring floor, which this one may not import


def batch_queue(*, batch_id: int) -> bool:
    """Nudge a worker. A broker error is logged, not raised: the batch is recorded and the sweeper retries."""
    try:
        current_app.send_task(INGEST_BATCH_TASK, args=[batch_id])
    except BROKER_ERRORS:
        logger.warning("ingest batch %s is recorded but could not be queued (broker unreachable); the sweeper "
                       "will queue it", batch_id, exc_info=True)
        return False
    return True


def scores_refresh_request(*, batch_id: int) -> bool:
    """Ask the scoring floor, by task name, to refresh the customers a finished batch touched."""
    batch = IngestBatch.objects.filter(pk=batch_id).only("touched_customer_ids").first()
    if batch is None or not batch.touched_customer_ids:
        return False
    try:
        current_app.send_task(SCORES_REFRESH_TASK,
                              kwargs={"customer_ids": batch.touched_customer_ids, "batch_id": batch_id})
    except BROKER_ERRORS:
        logger.warning("score refresh for ingest batch %s could not be queued; the sweeper will retry", batch_id,
                       exc_info=True)
        return False
    IngestBatch.objects.filter(pk=batch_id).update(score_refresh_sent_at=timezone.now())
    return True
