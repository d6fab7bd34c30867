"""The beat sweeper: work stuck in queued/running past a timeout is queued again (DESIGN §9).

A Celery message is only a nudge; the batch row is the work. A message lost with Redis, a worker
killed mid-batch, a refresh request that met a broker outage: each leaves a row the sweeper finds.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
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


def batches_sweep(*, now: dt.datetime | None = None, orphaned_after: dt.timedelta | None = None) -> SweepResult:
    """Queue again what is stuck. Two clocks:

    - a batch queued or running for INGEST_STUCK_AFTER_MINUTES (a lost message, a broker outage);
    - an orphan: running, but no worker holds its advisory lock (batch_process holds it from start to
      finish, and a dead worker's connection drops it), idle for INGEST_ORPHANED_AFTER_SECONDS, or for
      `orphaned_after` (zero when a worker has just started). Such a batch resumes at the next sweep,
      every minute, instead of after the stuck timeout or Redis' visibility timeout. A batch a live worker
      is processing holds the lock and is never queued twice; a nudge that arrives anyway finds it locked
      or done and does nothing.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.INGEST_STUCK_AFTER_MINUTES)
    if orphaned_after is None:
        orphaned_after = dt.timedelta(seconds=settings.INGEST_ORPHANED_AFTER_SECONDS)
    orphan_cutoff = now - orphaned_after
    result = SweepResult()
    stuck = (IngestBatch.objects
             .filter(Q(status__in=IngestBatch.ACTIVE, updated_at__lt=cutoff)
                     | Q(status=BatchStatus.RUNNING, updated_at__lte=orphan_cutoff))
             .order_by("updated_at").values_list("pk", "status")[:SWEEP_LIMIT])
    for batch_id, status in stuck:
        if status == BatchStatus.RUNNING and batch_is_locked(batch_id):
            result.busy.append(batch_id)
        elif batch_queue(batch_id=batch_id):
            # the clock restarts, so a long queue is not flooded with copies of the same nudge
            since = orphan_cutoff if status == BatchStatus.RUNNING else cutoff
            IngestBatch.objects.filter(pk=batch_id, updated_at__lte=since).update(updated_at=now)
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
