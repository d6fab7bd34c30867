"""Sending: claim due pending recipients, re-check them, render, hand to each channel's backend.

A chunk is claimed with `SELECT … FOR UPDATE SKIP LOCKED` on `status = 'pending'`, so two workers
never take the same row and a duplicate task finds nothing to claim. In the same query each row is
re-checked against the customer's current consent for its channel, do-not-contact and the frequency
cap (what may have changed since the launch); those that fail are skipped with the reason.

Transactional backends (outbox, call list, counter) hand over inside the claiming transaction, with
the status change: exactly once. EMAIL leaves the database, so its rows are committed as `sending`
first and marked one by one after the hand-over: at most once (see backends.base).

Quiet hours (local time, may wrap midnight) hold EMAIL/SMS/APP back until they end; PHONE and
COUNTER are worked by staff in opening hours and are not held. A failed hand-over is retried with
exponential backoff (CAMPAIGN_RETRY_BACKOFF_SECONDS × 2^(attempt−1)) up to CAMPAIGN_SEND_MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from customers.models import ConsentRecord

from ..audience import FREQUENCY_WINDOW, without_jit
from ..backends import Addressee, OutgoingMessage, backend_for
from ..exceptions import CampaignStatusError, PermanentSendError, TransientSendError
from ..models import (
    CAPPED_CHANNELS,
    MESSAGE_CHANNELS,
    Campaign,
    CampaignChannel,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    SkipReason,
)
from ..rendering import message_render
from .queueing import campaign_queue, outbox_drain_queue
from .unsubscribe import UnsubscribeLinks

logger = logging.getLogger(__name__)


@dataclass
class SendResult:
    chunks: int = 0
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    completed: bool = False
    by_status: dict = field(default_factory=dict)


def quiet_until(campaign: Campaign, now: dt.datetime) -> dt.datetime | None:
    """When the quiet hours around `now` end (aware), or None when `now` is outside them."""
    start, end = campaign.quiet_start, campaign.quiet_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    t = local.time()
    tz = local.tzinfo
    if start < end:
        inside, day = start <= t < end, local.date()
    else:  # wraps midnight, e.g. 21:00–08:00
        inside = t >= start or t < end
        day = local.date() + dt.timedelta(days=1) if t >= start else local.date()
    return dt.datetime.combine(day, end, tzinfo=tz) if inside else None


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.CAMPAIGN_RETRY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))


def _due(campaign: Campaign, now: dt.datetime):
    qs = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return qs


def _defer_quiet(campaign: Campaign, now: dt.datetime, until: dt.datetime) -> int:
    return _due(campaign, now).filter(channel__in=MESSAGE_CHANNELS).update(next_attempt_at=until)


CLAIM_FIELDS = ("id", "channel", "language", "customer_id", "customer__customer_no", "customer__full_name",
                "customer__preferred_name", "customer__email", "customer__mobile", "customer__preferred_language",
                "customer__do_not_contact", "customer__home_branch__name")


def _claim(campaign: Campaign, now: dt.datetime, limit: int) -> list[dict]:
    """Lock a chunk of due rows, then read them with what the re-check needs."""
    consent = (ConsentRecord.objects.filter(customer=OuterRef("customer_id"), channel=OuterRef("channel"))
               .order_by("-at", "-id").values("granted")[:1])
    # lock the ids first (no ORDER BY: any due rows will do, and the index scan stops at the limit), then
    # read them with their consent: a subquery in a sorted, limited select would run for every pending row
    ids = list(_due(campaign, now).select_for_update(skip_locked=True).order_by()
               .values_list("id", flat=True)[:limit])
    if not ids:
        return []
    with connection.cursor() as cursor:
        without_jit(cursor)
    rows = list(CampaignRecipient.objects.filter(pk__in=ids).annotate(consent_now=Subquery(consent))
                .order_by("id").values(*CLAIM_FIELDS, "consent_now"))
    # contacts of the last 30 days for the whole chunk in one grouped query: whatever plan the statistics
    # of a fast-growing table suggest, it runs once per chunk, not once per row
    recent = dict(
        CampaignRecipient.objects.filter(customer_id__in={row["customer_id"] for row in rows},
                                         sent_at__gte=now - FREQUENCY_WINDOW, channel__in=CAPPED_CHANNELS)
        .order_by().values("customer_id").annotate(n=Count("id")).values_list("customer_id", "n"))
    for row in rows:
        row["recent_contacts"] = recent.get(row["customer_id"], 0)
    return rows


def _recheck(row: dict, cap: int) -> str:
    if row["customer__do_not_contact"]:
        return SkipReason.DNC_AT_SEND
    if row["channel"] != CampaignChannel.COUNTER and row["consent_now"] is not True:
        return SkipReason.CONSENT_REVOKED
    if row["channel"] in CAPPED_CHANNELS and row["recent_contacts"] >= cap:
        return SkipReason.CAP_AT_SEND
    return ""


def _outgoing(campaign: Campaign, row: dict, product_names: dict, links: UnsubscribeLinks) -> OutgoingMessage:
    channel = row["channel"]
    addressee = Addressee(customer_id=row["customer_id"], customer_no=row["customer__customer_no"],
                          name=row["customer__preferred_name"] or row["customer__full_name"],
                          email=row["customer__email"], mobile=row["customer__mobile"],
                          language=row["customer__preferred_language"] or row["language"])
    link = links.url(recipient_id=row["id"], channel=channel) if channel in MESSAGE_CHANNELS else ""
    rendered = message_render(messages=campaign.messages, channel=channel, language=addressee.language,
                              name=addressee.name, product=product_names, branch=row["customer__home_branch__name"],
                              unsubscribe_url=link)
    return OutgoingMessage(recipient_id=row["id"], campaign_id=campaign.pk, channel=channel, customer=addressee,
                           rendered=rendered, unsubscribe_url=link)


def _send_chunk(campaign: Campaign, now: dt.datetime, limit: int,
                result: SendResult) -> tuple[int, list[OutgoingMessage]]:
    """One claimed chunk, in the caller's transaction: (rows claimed, email messages to hand over after commit)."""
    rows = _claim(campaign, now, limit)
    if not rows:
        return 0, []
    cap = campaign.effective_frequency_cap
    skipped: dict[str, list[int]] = defaultdict(list)
    by_channel: dict[str, list[OutgoingMessage]] = defaultdict(list)
    product_names = {lang: campaign.product.display_name(lang) for lang, _label in settings.LANGUAGES}
    links = UnsubscribeLinks()
    for row in rows:
        reason = _recheck(row, cap)
        if reason:
            skipped[reason].append(row["id"])
        else:
            by_channel[row["channel"]].append(_outgoing(campaign, row, product_names, links))
    for reason, ids in skipped.items():
        CampaignRecipient.objects.filter(pk__in=ids).update(status=RecipientStatus.SKIPPED, skip_reason=reason,
                                                            next_attempt_at=None)
        result.skipped += len(ids)
    external: list[OutgoingMessage] = []
    handed_over: list[int] = []
    for channel, messages in by_channel.items():
        backend = backend_for(channel)
        ids = [m.recipient_id for m in messages]
        if backend.transactional:
            backend.send_many(messages, now=now)
            handed_over += ids
            if channel in (CampaignChannel.SMS, CampaignChannel.APP):
                transaction.on_commit(outbox_drain_queue)
        else:
            # next_attempt_at holds the claim time while `sending`: the sweeper's clock for this row
            CampaignRecipient.objects.filter(pk__in=ids).update(status=RecipientStatus.SENDING,
                                                                attempts=F("attempts") + 1, next_attempt_at=now)
            external.extend(messages)
    if handed_over:  # one statement for every channel's rows, in the transaction of their hand-over
        CampaignRecipient.objects.filter(pk__in=handed_over).update(
            status=RecipientStatus.SENT, sent_at=now, attempts=F("attempts") + 1, next_attempt_at=None)
        result.sent += len(handed_over)
    Campaign.objects.filter(pk=campaign.pk).update(updated_at=now)
    return len(rows), external


def _hand_over(messages: list[OutgoingMessage], now: dt.datetime, result: SendResult) -> None:
    """External backends, after the claim committed: hand over one by one and record each outcome."""
    by_channel: dict[str, list[OutgoingMessage]] = defaultdict(list)
    for message in messages:
        by_channel[message.channel].append(message)
    for channel, batch in by_channel.items():
        backend = backend_for(channel)
        pending_ids = [m.recipient_id for m in batch]
        try:
            backend.open()
            for message in batch:
                _hand_over_one(backend, message, now, result)
                pending_ids.remove(message.recipient_id)
        except TransientSendError as exc:  # the connection itself: every row not handed over waits
            _retry(pending_ids, now, str(exc), result)
        except BaseException:
            # unknown whether the message in hand went: it was counted failed by _hand_over_one; the rest
            # were never handed over and go back to pending for the next run
            CampaignRecipient.objects.filter(pk__in=pending_ids, status=RecipientStatus.SENDING).update(
                status=RecipientStatus.PENDING, attempts=F("attempts") - 1, next_attempt_at=None)
            raise
        finally:
            backend.close()


def _hand_over_one(backend, message: OutgoingMessage, now: dt.datetime, result: SendResult) -> None:
    row = CampaignRecipient.objects.filter(pk=message.recipient_id, status=RecipientStatus.SENDING)
    try:
        backend.send_one(message, now=now)
    except TransientSendError as exc:
        _retry([message.recipient_id], now, str(exc), result)
        return
    except PermanentSendError as exc:
        row.update(status=RecipientStatus.FAILED, next_attempt_at=None, error=str(exc)[:255])
        result.failed += 1
        return
    except BaseException as exc:
        row.update(status=RecipientStatus.FAILED, next_attempt_at=None,
                   error=f"interrupted during hand-over: {exc!r}"[:255])
        result.failed += 1
        raise
    row.update(status=RecipientStatus.SENT, sent_at=now, next_attempt_at=None, error="")
    result.sent += 1


def _retry(ids: list[int], now: dt.datetime, error: str, result: SendResult) -> None:
    max_attempts = settings.CAMPAIGN_SEND_MAX_ATTEMPTS
    for row in CampaignRecipient.objects.filter(pk__in=ids, status=RecipientStatus.SENDING).only("pk", "attempts"):
        if row.attempts >= max_attempts:
            CampaignRecipient.objects.filter(pk=row.pk).update(status=RecipientStatus.FAILED, next_attempt_at=None,
                                                               error=error[:255])
            result.failed += 1
        else:
            CampaignRecipient.objects.filter(pk=row.pk).update(
                status=RecipientStatus.PENDING, next_attempt_at=now + _backoff(row.attempts), error=error[:255])
            result.retried += 1


def campaign_send(*, campaign_id: int, now: dt.datetime | None = None, chunk_size: int | None = None,
                  max_chunks: int | None = None) -> SendResult:
    """Send a running campaign's due recipients, chunk by chunk; then complete it or wake up later."""
    result = SendResult()
    campaign = Campaign.objects.select_related("product").filter(pk=campaign_id).first()
    if campaign is None or campaign.status != CampaignStatus.RUNNING:
        return result
    fixed_now = now
    limit = chunk_size or settings.CAMPAIGN_SEND_CHUNK
    if CampaignChannel.EMAIL in campaign.channels:
        limit = min(limit, settings.CAMPAIGN_EMAIL_CHUNK)  # rows committed as `sending` at once
    while max_chunks is None or result.chunks < max_chunks:
        chunk_now = fixed_now or timezone.now()
        # per chunk: a long send that runs into the quiet hours stops its messages there
        until = quiet_until(campaign, chunk_now)
        if until is not None:
            result.deferred += _defer_quiet(campaign, chunk_now, until)
        with transaction.atomic():
            if not Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.RUNNING).exists():
                break  # cancelled meanwhile
            claimed, external = _send_chunk(campaign, chunk_now, limit, result)
        if not claimed:
            break
        if external:
            _hand_over(external, chunk_now, result)
        result.chunks += 1
    campaign_settle(campaign_id=campaign_id, now=fixed_now or timezone.now(), result=result)
    return result


def campaign_settle(*, campaign_id: int, now: dt.datetime | None = None, result: SendResult | None = None) -> None:
    """Complete a running campaign with nothing left to send, or queue the sender for the next due row."""
    now = now or timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.RUNNING).first()
    if campaign is None or campaign.fanout_done_at is None:
        return
    open_rows = CampaignRecipient.objects.filter(campaign=campaign, status__in=[RecipientStatus.PENDING,
                                                                                RecipientStatus.SENDING])
    next_due = open_rows.filter(status=RecipientStatus.PENDING).order_by(
        F("next_attempt_at").asc(nulls_first=True)).values_list("next_attempt_at", flat=True).first()
    if not open_rows.exists():
        try:
            with transaction.atomic():
                campaign.transition_to(CampaignStatus.COMPLETED, completed_at=now)
                transaction.on_commit(partial(campaign_queue, step="results", campaign_id=campaign_id))
        except CampaignStatusError:
            return  # another sender (or a cancel) got there first
        if result is not None:
            result.completed = True
    elif next_due is not None and next_due > now:
        campaign_queue(step="send", campaign_id=campaign_id, countdown=(next_due - now).total_seconds())
