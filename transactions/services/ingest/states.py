"""A batch's status on a worker: started (or resumed), failed, finished (IngestBatch.transition_to)."""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from transactions.models import BatchStatus, IngestBatch

from .queueing import scores_refresh_request

logger = logging.getLogger("transactions.services.ingest")


def batch_start(batch: IngestBatch) -> None:
    now = timezone.now()
    if batch.status == BatchStatus.QUEUED:
        changes = {"attempts": batch.attempts + 1, "error": ""}
        if batch.started_at is None:
            changes["started_at"] = now
        if not batch.chunk_rows:
            changes["chunk_rows"] = settings.INGEST_CHUNK_ROWS
        batch.transition_to(BatchStatus.RUNNING, **changes)
    else:  # running: a worker died (or its message came back); carry on from the last committed chunk
        IngestBatch.objects.filter(pk=batch.pk).update(attempts=F("attempts") + 1, updated_at=now)
        batch.attempts += 1
    if batch.chunks_done:
        logger.info("ingest batch %s: attempt %s, resuming after chunk %s", batch.pk, batch.attempts, batch.chunks_done)
    else:
        logger.info("ingest batch %s: attempt %s, starting", batch.pk, batch.attempts)


def batch_fail(batch: IngestBatch, message: str, *, logged: bool = False) -> None:
    if not logged:  # a file-level refusal of ours (encoding, header): its message quotes no row
        logger.warning("ingest batch %s failed: %s", batch.pk, message)
    now = timezone.now()
    changes = {"error": message}
    if batch.replay_file:
        changes["replay_finished_at"] = now
    else:
        changes["finished_at"] = now
    batch.transition_to(BatchStatus.FAILED, **changes)


def batch_finish(batch: IngestBatch) -> None:
    """Done; once that commits, the scoring floor is asked to refresh the customers the batch touched."""
    now = timezone.now()
    changes = {"rows_total": batch.rows_done}
    if batch.replay_file:
        changes["replay_finished_at"] = now
    else:
        changes["finished_at"] = now
    with transaction.atomic():
        batch.transition_to(BatchStatus.DONE, **changes)
        batch.refresh_from_db(fields=["touched_customer_ids"])
        if batch.touched_customer_ids:
            transaction.on_commit(partial(scores_refresh_request, batch_id=batch.pk))
    logger.info("ingest batch %s done: received %s = inserted %s + duplicates %s + rejected %s", batch.pk,
                batch.received, batch.inserted, batch.duplicates, batch.rejected)
