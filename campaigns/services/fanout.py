"""Fan-out: one CampaignRecipient per customer of a running campaign's audience, set-wise, in chunks.

Each chunk is one `INSERT … SELECT … ON CONFLICT DO NOTHING` over a range of customer ids, from the
same query as the preview (audience.audience_decisions_sql), and the campaign's cursor moves in
the same transaction — so a worker killed mid-way resumes after the last committed chunk, a
duplicate task inserts nothing, and the launch's counts are the preview's.

The holdout draw is reproducible: md5("<campaign id>:<customer id>"), first 32 bits, mod 10,000,
below share × 10,000 (`holdout_draw` computes the same in Python).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..audience import audience_customers, audience_decisions_sql, without_jit
from ..holdout import holdout_params, holdout_sql
from ..models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus, SkipReason
from .queueing import campaign_queue


@dataclass
class FanoutResult:
    chunks: int = 0
    inserted: int = 0
    done: bool = False


_INSERT = """
INSERT INTO {table} (campaign_id, customer_id, channel, holdout, status, skip_reason, language, attempts,
                     response, error)
SELECT %(campaign_id)s, b.id, COALESCE(b.channel, ''), b.holdout,
       CASE WHEN b.exclusion IS NULL AND NOT b.holdout THEN %(pending)s ELSE %(skipped)s END,
       COALESCE(b.exclusion, CASE WHEN b.holdout THEN %(skip_holdout)s ELSE '' END),
       b.language, 0, '', ''
FROM (
    SELECT a.id, a.channel, a.exclusion, a.language,
           (a.exclusion IS NULL AND {holdout}) AS holdout
    FROM ({audience}) AS a
) AS b
ON CONFLICT (campaign_id, customer_id) DO NOTHING
"""


def _chunk_insert(campaign: Campaign, *, lower: int, upper: int | None, now: dt.datetime) -> int:
    sql, params = audience_decisions_sql(
        audience=campaign.audience, scope=campaign.branch, product=campaign.product, channels=campaign.channels,
        frequency_cap=campaign.effective_frequency_cap, now=now, lower=lower, upper=upper)
    statement = _INSERT.format(table=CampaignRecipient._meta.db_table, audience=sql,
                               holdout=holdout_sql("a.id"))
    with connection.cursor() as cursor:
        without_jit(cursor)
        cursor.execute(statement, {**params, "campaign_id": campaign.pk, "pending": RecipientStatus.PENDING,
                                   "skipped": RecipientStatus.SKIPPED, "skip_holdout": SkipReason.HOLDOUT,
                                   **holdout_params(campaign)})
        return cursor.rowcount


def campaign_fanout(*, campaign_id: int, chunk_size: int | None = None, now: dt.datetime | None = None,
                    max_chunks: int | None = None,
                    on_chunk: Callable[[Campaign, int], None] | None = None) -> FanoutResult:
    """Write the recipients of a running campaign, chunk by chunk; nothing to do once done.

    `on_chunk(campaign, chunks_so_far)` runs after each commit (tests use it to stop a worker mid-way).
    When the last chunk commits, the sender is queued.
    """
    chunk_size = chunk_size or settings.CAMPAIGN_FANOUT_CHUNK
    result = FanoutResult()
    while max_chunks is None or result.chunks < max_chunks:
        with transaction.atomic():
            # the row lock serialises two workers on one campaign; the second sees the moved cursor
            campaign = (Campaign.objects.select_for_update(of=("self",)).select_related("product", "branch")
                        .filter(pk=campaign_id).first())
            if campaign is None or campaign.status != CampaignStatus.RUNNING or campaign.fanout_done_at:
                result.done = campaign is not None and campaign.fanout_done_at is not None
                return result
            chunk_now = now or timezone.now()
            ids = (audience_customers(campaign.audience, scope=campaign.branch, today=timezone.localdate(chunk_now))
                   .filter(pk__gt=campaign.fanout_cursor).order_by("pk").values_list("pk", flat=True))
            upper = next(iter(ids[chunk_size - 1:chunk_size]), None)
            result.inserted += _chunk_insert(campaign, lower=campaign.fanout_cursor, upper=upper, now=chunk_now)
            changes = {"updated_at": timezone.now()}
            if upper is None:
                changes["fanout_done_at"] = changes["updated_at"]
                # the table just grew by a whole audience: fresh statistics for the senders' queries
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {CampaignRecipient._meta.db_table}")
                # several senders share the work (SKIP LOCKED): one per worker process by default
                for _sender in range(settings.CAMPAIGN_SENDERS):
                    transaction.on_commit(partial(campaign_queue, step="send", campaign_id=campaign.pk))
            else:
                changes["fanout_cursor"] = upper
            Campaign.objects.filter(pk=campaign.pk).update(**changes)
        result.chunks += 1
        if on_chunk is not None:
            on_chunk(campaign, result.chunks)
        if upper is None:
            result.done = True
            return result
    return result
