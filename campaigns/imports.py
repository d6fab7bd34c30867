"""campaign_responses files (DESIGN §5): contact history from an earlier system, as ContactResponse rows.

Keyed by campaign + customer + channel + contacted_at: loading the same file twice inserts nothing the
second time, and a row whose outcome changed (interested, then converted) updates the stored one. Every
inserted contact is also an Interaction (kind offer_outcome) on the customer's timeline, as the counter's
own outcomes are. The kind plugs into the master-data registry (accounts.imports) from CampaignsConfig.ready:
the registry sits on a lower floor and cannot import this one.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import IO

import pandas as pd
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Product
from crm_site.csv_import import (
    DEFAULT_CHUNK_SIZE,
    Chunk,
    ChunkCounts,
    CsvSpec,
    ImportResult,
    csv_import,
    max_lengths,
)
from customers.models import Customer, Interaction, InteractionChannel, InteractionKind

from .models import CampaignChannel, ContactResponse, ContactSource, OfferOutcome

SPEC = CsvSpec(kind="campaign_responses", key="campaign_code",
               required=("campaign_code", "product_code", "customer_no", "channel", "contacted_at", "outcome"),
               key_columns=("campaign_code", "customer_no", "channel", "contacted_at"))
IMPORT_OUTCOMES = (OfferOutcome.CONVERTED, OfferOutcome.DECLINED, OfferOutcome.INTERESTED, OfferOutcome.NO_ANSWER)
INTERACTION_CHANNEL = {
    CampaignChannel.EMAIL: InteractionChannel.EMAIL, CampaignChannel.SMS: InteractionChannel.SMS,
    CampaignChannel.APP: InteractionChannel.APP, CampaignChannel.PHONE: InteractionChannel.PHONE,
    CampaignChannel.COUNTER: InteractionChannel.COUNTER,
}
# contacts older than this are not history a model should learn from, and most likely a typo
EARLIEST_CONTACT = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)

_UPSERT = """
INSERT INTO {table} (campaign_code, product_id, customer_id, channel, contacted_at, outcome, source, created_at)
SELECT campaign_code, product_id, customer_id, channel, contacted_at, outcome, %(source)s, %(now)s FROM {scratch}
ON CONFLICT (customer_id, campaign_code, channel, contacted_at) DO UPDATE
    SET outcome = EXCLUDED.outcome, product_id = EXCLUDED.product_id
    WHERE ({table}.outcome, {table}.product_id) IS DISTINCT FROM (EXCLUDED.outcome, EXCLUDED.product_id)
RETURNING id, (xmax = 0) AS inserted
"""


def campaign_responses_import(*, file: str | Path | IO[bytes], chunk_size: int = DEFAULT_CHUNK_SIZE,
                              max_rows: int | None = None) -> ImportResult:
    """Load campaign history: new contacts inserted (and put on the timeline), changed outcomes updated."""
    return csv_import(file=file, spec=SPEC, load_chunk=_load_responses, chunk_size=chunk_size, max_rows=max_rows)


def _contacted_at(chunk: Chunk, now: dt.datetime) -> pd.Series:
    """ISO 8601 (a time without an offset is TIME_ZONE's) as an aware datetime; None where refused."""
    zone = timezone.get_default_timezone()
    tolerance = dt.timedelta(seconds=settings.INGEST_FUTURE_TOLERANCE_SECONDS)
    values = []
    for row, text in chunk.frame["contacted_at"].items():
        if not text:
            values.append(None)
            continue
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            chunk.reject_row(row, _("contacted_at: %(value)s is not an ISO 8601 date and time.")
                             % {"value": repr(text)})
            values.append(None)
            continue
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, zone)
        if moment > now + tolerance:
            chunk.reject_row(row, _("contacted_at: %(value)s is in the future.") % {"value": repr(text)})
            moment = None
        elif moment < EARLIEST_CONTACT:
            chunk.reject_row(row, _("contacted_at: %(value)s is before 1990.") % {"value": repr(text)})
            moment = None
        values.append(moment)
    return pd.Series(values, index=chunk.frame.index, dtype=object)


def _load_responses(chunk: Chunk) -> ChunkCounts:
    now = timezone.now()
    chunk.require(*SPEC.required)
    chunk.max_lengths(max_lengths(ContactResponse, {"campaign_code": "campaign_code"}))
    customers = dict(Customer.objects.filter(customer_no__in=chunk.codes("customer_no"), merged_into__isnull=True)
                     .values_list("customer_no", "id"))
    products = dict(Product.objects.filter(code__in=chunk.codes("product_code")).values_list("code", "id"))
    incoming = pd.DataFrame({
        "campaign_code": chunk.frame["campaign_code"].astype(object),
        "product_id": chunk.lookup("product_code", products, _("product_code: no product has the code %(value)s.")),
        "customer_id": chunk.lookup("customer_no", customers,
                                    _("customer_no: no customer has the number %(value)s.")),
        "channel": chunk.choice("channel", CampaignChannel.values),
        "contacted_at": _contacted_at(chunk, now),
        "outcome": chunk.choice("outcome", [o.value for o in IMPORT_OUTCOMES]),
    })
    rows = incoming[chunk.ok]
    if rows.empty:
        return ChunkCounts()
    written = _upsert(rows, now)
    inserted_ids = [pk for pk, inserted in written if inserted]
    _timeline_add(inserted_ids)
    inserted = len(inserted_ids)
    updated = len(written) - inserted
    return ChunkCounts(inserted=inserted, updated=updated, unchanged=len(rows) - len(written))


def _upsert(rows: pd.DataFrame, now: dt.datetime) -> list[tuple[int, bool]]:
    """COPY into a scratch table, one INSERT … ON CONFLICT; (id, inserted?) of the rows written."""
    table = connection.ops.quote_name(ContactResponse._meta.db_table)
    scratch = connection.ops.quote_name(f"import_{ContactResponse._meta.db_table}")
    columns = ["campaign_code", "product_id", "customer_id", "channel", "contacted_at", "outcome"]
    frame = rows[columns].copy()
    frame["contacted_at"] = [moment.astimezone(dt.UTC).isoformat() for moment in frame["contacted_at"]]
    # the rows of one chunk hold each key once (csv_import rejects repeats), but two spellings of one
    # instant ("…T09:00" and "…T09:00+08:00") are one key: the later row wins
    frame = frame.drop_duplicates(subset=["customer_id", "campaign_code", "channel", "contacted_at"], keep="last")
    buffer = frame.to_csv(index=False, header=False)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{scratch}")
        cursor.execute(f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS "  # noqa: S608 - names from model metadata
                       f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA")
        cursor.copy_expert(f"COPY {scratch} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", io.StringIO(buffer))
        cursor.execute(_UPSERT.format(table=table, scratch=scratch),
                       {"source": ContactSource.IMPORT.value, "now": now})
        return cursor.fetchall()


def _timeline_add(ids: list[int]) -> None:
    """An Interaction per newly loaded contact, at the time of the contact, written in the bank's language."""
    if not ids:
        return
    contacts = (ContactResponse.objects.filter(pk__in=ids).select_related("product")
                .only("campaign_code", "customer_id", "channel", "contacted_at", "outcome", "product__name"))
    with override(settings.LANGUAGE_CODE):
        interactions = [
            Interaction(customer_id=c.customer_id, staff=None, kind=InteractionKind.OFFER_OUTCOME,
                        channel=INTERACTION_CHANNEL[c.channel], at=c.contacted_at,
                        text=_("Campaign %(campaign)s (%(product)s, earlier system): %(outcome)s") % {
                            "campaign": c.campaign_code, "product": c.product.name,
                            "outcome": OfferOutcome(c.outcome).label})
            for c in contacts
        ]
    Interaction.objects.bulk_create(interactions, batch_size=2000)
