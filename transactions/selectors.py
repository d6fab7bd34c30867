"""Reads of the transactions floor: a customer's transactions and the figures behind the teller's charts;
ingest batches and their rejected rows, as the acting user may see them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.exceptions import NotFound

from .models import Channel, Direction, IngestBatch, MerchantCategory, RejectedRow, Transaction


def transactions_for_customer(*, customer_id: int, channel: str | None = None, date_from: dt.date | None = None,
                              date_to: dt.date | None = None) -> QuerySet:
    """Newest first, with the account; filter by channel and by local dates (inclusive)."""
    qs = Transaction.objects.filter(customer_id=customer_id).select_related("account")
    if channel:
        qs = qs.filter(channel=channel)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(occurred_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(occurred_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-occurred_at", "-id")


def categories_for_mccs(mccs: set[str]) -> dict[str, str]:
    """MCC -> spending category, for a page of transactions (one query)."""
    if not mccs:
        return {}
    return dict(MerchantCategory.objects.filter(mcc__in=mccs).values_list("mcc", "category"))


def _since(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def channel_mix(*, customer_id: int, days: int = 180) -> dict[str, int]:
    """Count of customer-initiated transactions per channel (SYSTEM excluded)."""
    rows = (Transaction.objects.filter(customer_id=customer_id, occurred_at__gte=_since(days))
            .exclude(channel=Channel.SYSTEM).values("channel").annotate(n=Count("id")).order_by("-n"))
    return {row["channel"]: row["n"] for row in rows}


def monthly_in_out(*, customer_id: int, months: int = 12) -> list[dict]:
    """Money in and out per calendar month (local time) for the last `months` months, oldest first."""
    today = timezone.localdate()
    # by month number, not by days: stepping back 31 days a month overshoots into a 13th month
    first_index = today.year * 12 + today.month - 1 - (months - 1)
    first = dt.date(first_index // 12, first_index % 12 + 1, 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=timezone.get_current_timezone())
    rows = (Transaction.objects.filter(customer_id=customer_id, occurred_at__gte=start)
            .annotate(month=TruncMonth("occurred_at"))
            .values("month")
            .annotate(money_in=Sum("amount", filter=Q(direction=Direction.CREDIT)),
                      money_out=Sum("amount", filter=Q(direction=Direction.DEBIT))))
    by_month = {row["month"].date(): row for row in rows}
    result = []
    month = first
    zero = Decimal("0.00")
    while month <= today:
        row = by_month.get(month, {})
        result.append({"month": month, "money_in": row.get("money_in") or zero,
                       "money_out": row.get("money_out") or zero})
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return result


def spend_by_category(*, customer_id: int, days: int = 365) -> dict[str, Decimal]:
    """Card and POS spend (debits with an MCC) per spending category, largest first."""
    spend = (Transaction.objects.filter(customer_id=customer_id, occurred_at__gte=_since(days),
                                        direction=Direction.DEBIT)
             .exclude(mcc="").values("mcc").annotate(total=Sum("amount")))
    categories = categories_for_mccs({row["mcc"] for row in spend})
    totals: dict[str, Decimal] = {}
    for row in spend:
        category = categories.get(row["mcc"], "OTHER")
        totals[category] = totals.get(category, Decimal("0")) + row["total"]
    return dict(sorted(totals.items(), key=lambda item: item[1], reverse=True))


# --- ingest batches ------------------------------------------------------------------------------


def batches_for_user(*, user) -> QuerySet[IngestBatch]:
    """Newest first. Staff who may see rejected rows (managers, admins) see every batch; a channel
    system, which may only ingest, sees the batches it sent (DESIGN §8)."""
    batches = IngestBatch.objects.select_related("created_by").order_by("-created_at", "-id")
    if user.has_perm("transactions.view_rejectedrow"):
        return batches
    if user.has_perm("transactions.view_ingestbatch"):
        return batches.filter(created_by=user)
    return batches.none()


def batch_get(*, batch_id: int, user) -> IngestBatch:
    batch = batches_for_user(user=user).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("There is no batch #%(id)s, or it is not one of yours.") % {"id": batch_id})
    return batch


def rejected_rows_open(*, batch: IngestBatch) -> QuerySet[RejectedRow]:
    """The batch's rejected rows not (yet) loaded by a replay, in file order."""
    return batch.rejected_rows.filter(replayed_at__isnull=True).order_by("row_number")
