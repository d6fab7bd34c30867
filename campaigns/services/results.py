"""Results: the funnel by channel and by day, conversions from accounts, and lift against the holdout.

A contacted customer converted when an account of the campaign's product was opened on a day from
the (local) day of contact to N days later (N = the campaign's conversion window); a holdout customer,
or one assigned to be contacted whom no message reached (consent withdrawn, failed, not yet sent),
from the day the campaign started to N days later.

The lift is intention to treat: every eligible customer assigned to be contacted against the holdout,
the two groups the random draw made alike. The contacted-only comparison (`lift_contacted`) is
reported beside it, labelled: it leaves out whoever the message did not reach, who differ from the
holdout in ways the draw did not balance. Recomputed by the task `campaigns.recompute_results`
(hourly by beat while a campaign is inside its window, when it completes, and on request) because
accounts arrive by import after the campaign; each run replaces the CampaignResult snapshot.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from crm_site.exceptions import NotAllowed

from ..models import EXCLUSION_REASONS, Campaign, CampaignRecipient, CampaignResult, CampaignStatus, RecipientStatus
from ..selectors import campaign_in_scope
from ..stats import lift_interval, rate
from .queueing import campaign_queue

_CONVERSIONS = """
WITH windows AS (
    SELECT r.id, r.customer_id,
           CASE WHEN r.sent_at IS NULL THEN %(start)s::date ELSE (r.sent_at AT TIME ZONE %(tz)s)::date END
               AS first_day
    FROM {recipients} r
    WHERE r.campaign_id = %(campaign)s AND (r.holdout OR r.skip_reason <> ALL(%(excluded)s))
), converted AS (
    SELECT w.id, MIN(a.opened_at) AS opened
    FROM windows w JOIN {accounts} a ON a.customer_id = w.customer_id AND a.product_id = %(product)s
    WHERE a.opened_at BETWEEN w.first_day AND w.first_day + %(days)s
    GROUP BY w.id
)
UPDATE {recipients} r
SET converted_at = (converted.opened::timestamp AT TIME ZONE %(tz)s)
FROM windows LEFT JOIN converted ON converted.id = windows.id
WHERE r.id = windows.id AND r.converted_at IS DISTINCT FROM (converted.opened::timestamp AT TIME ZONE %(tz)s)
"""

COUNTS = {
    "sent": Count("pk", filter=Q(sent_at__isnull=False)),
    "delivered": Count("pk", filter=Q(delivered_at__isnull=False)),
    "responded": Count("pk", filter=Q(responded_at__isnull=False)),
    "converted": Count("pk", filter=Q(converted_at__isnull=False, sent_at__isnull=False)),
    "failed": Count("pk", filter=Q(status=RecipientStatus.FAILED)),
    "opted_out": Count("pk", filter=Q(opted_out_at__isnull=False)),
}


def conversions_update(*, campaign: Campaign) -> int:
    """Set (or clear) converted_at on the campaign's contacted and holdout recipients, set-wise."""
    start = campaign.started_at or campaign.launched_at
    if start is None:
        return 0
    statement = _CONVERSIONS.format(recipients=CampaignRecipient._meta.db_table, accounts=Account._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(statement, {"start": timezone.localdate(start), "tz": settings.TIME_ZONE,
                                   "campaign": campaign.pk, "product": campaign.product_id,
                                   "days": campaign.conversion_window_days,
                                   "excluded": list(EXCLUSION_REASONS)})
        return cursor.rowcount


def _funnel(qs) -> dict:
    row = qs.aggregate(targeted=Count("pk"), **COUNTS)
    return {key: row[key] or 0 for key in ("targeted", "sent", "delivered", "responded", "converted", "failed",
                                           "opted_out")}


@transaction.atomic
def campaign_results_compute(*, campaign_id: int, now: dt.datetime | None = None) -> CampaignResult | None:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None or campaign.status not in (*Campaign.LAUNCHED, CampaignStatus.CANCELLED):
        return None
    now = now or timezone.now()
    conversions_update(campaign=campaign)
    rows = CampaignRecipient.objects.filter(campaign=campaign)
    treated = rows.filter(holdout=False).exclude(skip_reason__in=EXCLUSION_REASONS)
    funnel = _funnel(treated)
    by_channel = {}
    for row in treated.order_by().values("channel").annotate(targeted=Count("pk"), **COUNTS):
        by_channel[row["channel"]] = {key: row[key] for key in funnel}
    tz = timezone.get_current_timezone()
    by_day = [
        {"date": row["day"].isoformat(), "sent": row["sent"], "delivered": row["delivered"],
         "responded": row["responded"], "converted": row["converted"]}
        for row in treated.filter(sent_at__isnull=False).annotate(day=TruncDate("sent_at", tzinfo=tz))
        .order_by("day").values("day").annotate(**COUNTS)
    ]
    holdout = rows.filter(holdout=True).aggregate(size=Count("pk"),
                                                  converted=Count("pk", filter=Q(converted_at__isnull=False)))
    contacted = {"size": funnel["sent"], "converted": funnel["converted"]}
    assigned = treated.aggregate(size=Count("pk"), converted=Count("pk", filter=Q(converted_at__isnull=False)))
    data = {
        "computed_at": now.isoformat(),
        "window_days": campaign.conversion_window_days,
        "funnel": funnel,
        "by_channel": by_channel,
        "by_day": by_day,
        "treated": {**contacted, "rate": rate(contacted["converted"], contacted["size"])},
        "holdout": {**holdout, "rate": rate(holdout["converted"], holdout["size"])},
        "assigned": {**assigned, "rate": rate(assigned["converted"], assigned["size"])},
        "lift": lift_interval(treated_converted=assigned["converted"], treated_size=assigned["size"],
                              holdout_converted=holdout["converted"], holdout_size=holdout["size"]),
        "lift_contacted": lift_interval(treated_converted=contacted["converted"], treated_size=contacted["size"],
                                        holdout_converted=holdout["converted"], holdout_size=holdout["size"]),
    }
    result, _created = CampaignResult.objects.update_or_create(campaign=campaign,
                                                               defaults={"computed_at": now, "data": data})
    return result


def campaigns_results_recompute(*, now: dt.datetime | None = None) -> list[int]:
    """Every launched campaign still inside its conversion window (plus a day for late account imports)."""
    now = now or timezone.now()
    done = []
    for campaign in Campaign.objects.filter(status__in=[CampaignStatus.RUNNING, CampaignStatus.COMPLETED],
                                            started_at__isnull=False).only("pk", "started_at",
                                                                           "conversion_window_days"):
        if campaign.started_at + dt.timedelta(days=campaign.conversion_window_days + 1) >= now:
            campaign_results_compute(campaign_id=campaign.pk, now=now)
            done.append(campaign.pk)
    return done


def campaign_results_refresh(*, campaign: Campaign, user) -> None:
    """Ask for a recompute now (the results page's and API's refresh)."""
    if not user.has_perm("campaigns.view_campaign") or not campaign_in_scope(campaign=campaign, user=user):
        raise NotAllowed(_not_allowed())
    transaction.on_commit(partial(campaign_queue, step="results", campaign_id=campaign.pk))


def _not_allowed() -> str:
    return _("You may not refresh this campaign's results.")
