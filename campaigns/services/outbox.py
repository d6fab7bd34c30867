"""Draining the SMS/app outbox through the gateway adapter (settings.CAMPAIGN_GATEWAY).

Messages are claimed with SKIP LOCKED and moved to `sending` in one short transaction, handed to
the adapter outside it, and the results recorded per message (with the recipient's delivered time).
A message left `sending` by a killed worker is requeued by the sweeper after a timeout; a gateway
that honours the message id as an idempotency key (see backends.gateway) then delivers it once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..backends.gateway import gateway
from ..models import Campaign, CampaignRecipient, OutboxMessage, OutboxStatus, RecipientStatus, outbox_due
from .sending import quiet_until


def outbox_drain(*, now: dt.datetime | None = None, chunk_size: int | None = None,
                 max_chunks: int | None = None) -> dict[str, int]:
    """Hand queued messages to the gateway until none is due; counts per resulting status."""
    counts: dict[str, int] = defaultdict(int)
    adapter = gateway()
    chunk_size = chunk_size or settings.CAMPAIGN_SEND_CHUNK
    chunks = 0
    while max_chunks is None or chunks < max_chunks:
        chunk_now = now or timezone.now()
        counts["held"] += _hold_quiet(chunk_now)
        with transaction.atomic():
            messages = list(
                _due(chunk_now).select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient__customer").order_by()[:chunk_size])  # any due ones: no sort
            if not messages:
                break
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                status=OutboxStatus.SENDING, attempts=F("attempts") + 1, sent_at=chunk_now)
        results = adapter.deliver(messages)
        _record(messages, results, chunk_now, counts)
        chunks += 1
    return {status: n for status, n in counts.items() if n}


def _due(now: dt.datetime):
    return OutboxMessage.objects.filter(outbox_due(now))


def _hold_quiet(now: dt.datetime) -> int:
    """Queued messages of campaigns now inside their quiet hours wait until the hours end.

    A message queued just before the quiet hours began must not reach a phone during them. The check
    runs over the few campaigns with quiet hours that have messages due, not over the messages.
    """
    held = 0
    quiet = Campaign.objects.filter(quiet_start__isnull=False, quiet_end__isnull=False,
                                    pk__in=_due(now).values("recipient__campaign_id"))
    for campaign in quiet.only("pk", "quiet_start", "quiet_end"):
        until = quiet_until(campaign, now)
        if until is not None:
            held += _due(now).filter(recipient__campaign_id=campaign.pk).update(next_attempt_at=until)
    return held


def _record(messages: list[OutboxMessage], results: dict, now: dt.datetime, counts: dict) -> None:
    groups: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
    retry: list[OutboxMessage] = []
    for message in messages:
        delivery = results.get(message.pk)
        status = delivery.status if delivery else "retry"
        if status == "retry":
            retry.append(message)
        else:
            groups[(status, delivery.error)].append(message)
    with transaction.atomic():
        for (status, error), group in groups.items():
            ids = [m.pk for m in group]
            recipient_ids = [m.recipient_id for m in group]
            if status == "delivered":
                OutboxMessage.objects.filter(pk__in=ids).update(status=OutboxStatus.DELIVERED, delivered_at=now)
                CampaignRecipient.objects.filter(pk__in=recipient_ids, status=RecipientStatus.SENT).update(
                    status=RecipientStatus.DELIVERED, delivered_at=now)
            elif status == "sent":  # accepted; a delivery report would follow
                OutboxMessage.objects.filter(pk__in=ids).update(status=OutboxStatus.ACCEPTED)
            else:
                OutboxMessage.objects.filter(pk__in=ids).update(status=OutboxStatus.FAILED, error=error[:255])
                CampaignRecipient.objects.filter(pk__in=recipient_ids, status=RecipientStatus.SENT).update(
                    status=RecipientStatus.FAILED, error=error[:255])
            counts[status] += len(ids)
        for message in retry:
            attempts = message.attempts + 1
            if attempts >= settings.CAMPAIGN_SEND_MAX_ATTEMPTS:
                OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED,
                                                                   error="gateway kept refusing")
                CampaignRecipient.objects.filter(pk=message.recipient_id).update(status=RecipientStatus.FAILED,
                                                                                 error="gateway kept refusing")
                counts["failed"] += 1
            else:
                delay = dt.timedelta(seconds=settings.CAMPAIGN_RETRY_BACKOFF_SECONDS * 2 ** (attempts - 1))
                OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.QUEUED,
                                                                   next_attempt_at=now + delay)
                counts["retry"] += 1
