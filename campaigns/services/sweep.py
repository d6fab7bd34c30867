"""The campaigns' beat sweeper (DESIGN §9): the rows are the work, a Celery message only a nudge.

- scheduled campaigns whose send time has come start running (fan-out queued);
- running campaigns whose fan-out is unfinished, or that have due pending recipients, and that
  have made no progress for CAMPAIGN_STUCK_AFTER_MINUTES, are queued again;
- EMAIL rows left `sending` past the timeout (a worker died between the SMTP hand-over and the
  mark) are marked failed, never resent: at most once (backends.base);
- outbox messages left `sending` past the timeout go back to queued (the gateway de-duplicates by id).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import Campaign, CampaignRecipient, CampaignStatus, OutboxMessage, OutboxStatus, RecipientStatus
from .campaigns import campaign_start_due
from .queueing import campaign_queue
from .sending import campaign_settle

logger = logging.getLogger(__name__)
SWEEP_LIMIT = 200


@dataclass
class CampaignSweepResult:
    started: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    interrupted: int = 0
    outbox_requeued: int = 0


def campaigns_sweep(*, now: dt.datetime | None = None) -> CampaignSweepResult:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.CAMPAIGN_STUCK_AFTER_MINUTES)
    result = CampaignSweepResult()
    due = (Campaign.objects.filter(status=CampaignStatus.SCHEDULED)
           .filter(Q(send_at__isnull=True) | Q(send_at__lte=now)).values_list("pk", flat=True)[:SWEEP_LIMIT])
    for campaign_id in due:
        if campaign_start_due(campaign_id=campaign_id, now=now):
            result.started.append(campaign_id)

    result.interrupted = CampaignRecipient.objects.filter(
        status=RecipientStatus.SENDING, next_attempt_at__lt=cutoff,  # next_attempt_at: when it was claimed
    ).update(status=RecipientStatus.FAILED, next_attempt_at=None,
             error="interrupted during hand-over; not resent (at most once)")
    result.outbox_requeued = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, sent_at__lt=cutoff).update(
        status=OutboxStatus.QUEUED)

    running = (Campaign.objects.filter(status=CampaignStatus.RUNNING, updated_at__lt=cutoff)
               .order_by("updated_at").values_list("pk", "fanout_done_at")[:SWEEP_LIMIT])
    for campaign_id, fanout_done_at in running:
        if campaign_id in result.started:
            continue  # just queued by its start
        if fanout_done_at is None:
            step = "fanout"
        else:
            due_rows = CampaignRecipient.objects.filter(campaign_id=campaign_id, status=RecipientStatus.PENDING).filter(
                Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            if not due_rows.exists():
                campaign_settle(campaign_id=campaign_id, now=now)  # completes it when nothing is left open
                continue
            step = "send"
        if campaign_queue(step=step, campaign_id=campaign_id):
            Campaign.objects.filter(pk=campaign_id, updated_at__lt=cutoff).update(updated_at=now)
            result.requeued.append(campaign_id)
    if result.started or result.requeued or result.interrupted or result.outbox_requeued:
        logger.info("campaign sweep: started %s, requeued %s, %d interrupted sends failed, %d outbox requeued",
                    result.started, result.requeued, result.interrupted, result.outbox_requeued)
    return result
