"""The beat sweeper: work stuck in queued/running past a timeout is queued again (DESIGN §9).

A Celery message is only a nudge; the batch row is the work. A message lost with Redis, a worker
killed mid-batch, a refresh request that met a broker outage: each leaves a row the sweeper finds.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from transactions.models import BatchStatus, IngestBatch

from .ingest import batch_is_locked, batch_queue, scores_refresh_request

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 200  # batches per sweep; the next sweep takes the rest


@dataclass
class SweepResult:
    requeued: list[int] = field(default_factory=list)
    refresh_sent: list[int] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)        # running, and a worker holds the lock
    unreachable: list[int] = field(default_factory=list)  # the broker is still down


def batches_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.INGEST_STUCK_AFTER_MINUTES)
    result = SweepResult()
    stuck = (IngestBatch.objects.filter(status__in=IngestBatch.ACTIVE, updated_at__lt=cutoff)
             .order_by("updated_at").values_list("pk", "status")[:SWEEP_LIMIT])
    for batch_id, status in stuck:
        if status == BatchStatus.RUNNING and batch_is_locked(batch_id):
            result.busy.append(batch_id)
        elif batch_queue(batch_id=batch_id):
            # the clock restarts, so a long queue is not flooded with copies of the same nudge
            IngestBatch.objects.filter(pk=batch_id, updated_at__lt=cutoff).update(updated_at=now)
            result.requeued.append(batch_id)
        else:
            result.unreachable.append(batch_id)
    unsent = (IngestBatch.objects.filter(status=BatchStatus.DONE, score_refresh_sent_at__isnull=True,
                                         touched_customer_ids__len__gt=0, updated_at__lt=cutoff)
              .order_by("updated_at").values_list("pk", flat=True)[:SWEEP_LIMIT])
    for batch_id in unsent:
        if scores_refresh_request(batch_id=batch_id):
            result.refresh_sent.append(batch_id)
    if result.requeued or result.refresh_sent or result.unreachable:
        logger.info("ingest sweep: requeued %s, score refresh sent for %s, broker unreachable for %s",
                    result.requeued, result.refresh_sent, result.unreachable)
    return result
