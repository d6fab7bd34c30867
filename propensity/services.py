"""Writes of the propensity app: train a product's model, score its customers, record what campaigns expected.

Training (DESIGN §7b): the product's contacts — this system's campaign recipients whose conversion window has
closed (or who converted), imported campaign history and next-best offers recorded at the counter — are the
examples; converted (an account of the product opened within the window, or the customer took it at the
counter) against contacted-and-not-converted. The features are what the CRM knew before each contact
(propensity.features). A product without enough history gets no model: its card says so. (Take-up by
comparable customers is not used as a stand-in for products without campaign history: what it would learn is
who holds the product, not who answers an offer.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, AccountStatus, Product
from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, ContactResponse, OfferOutcome
from customers.models import Customer, CustomerStatus

from .exceptions import NotEnoughHistory
from .explain import reason_facts
from .features import FEATURES, Points, features_frame
from .models import CampaignPrediction, PropensityModel, PropensityScore

log = logging.getLogger(__name__)

_EXAMPLES = """
SELECT r.customer_id, r.sent_at AS at,
       (r.converted_at IS NOT NULL OR r.response = %(converted)s) AS converted
FROM {recipients} r JOIN {campaigns} c ON c.id = r.campaign_id
WHERE c.product_id = %(product)s AND c.status IN %(launched)s AND NOT r.holdout AND r.sent_at IS NOT NULL
  AND (r.converted_at IS NOT NULL OR r.response = %(converted)s
       OR r.sent_at + c.conversion_window_days * interval '1 day' < %(now)s)
UNION ALL
SELECT cr.customer_id, cr.contacted_at, cr.outcome = %(converted)s
FROM {responses} cr
WHERE cr.product_id = %(product)s AND cr.contacted_at < %(now)s
ORDER BY 1, 2
"""

_CANDIDATES = """
SELECT c.id FROM {customers} c
WHERE c.status NOT IN %(gone)s AND c.merged_into_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM {accounts} a WHERE a.customer_id = c.id AND a.product_id = %(product)s
                  AND a.status <> %(closed)s)
ORDER BY c.id
"""


def training_examples(*, product: Product, now: dt.datetime | None = None) -> pd.DataFrame:
    """customer_id, at, converted: one row per contact about the product whose answer is known."""
    now = now or timezone.now()
    sql = _EXAMPLES.format(recipients=CampaignRecipient._meta.db_table, campaigns=Campaign._meta.db_table,
                           responses=ContactResponse._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"product": product.pk, "converted": OfferOutcome.CONVERTED.value, "now": now,
                             "launched": (CampaignStatus.RUNNING.value, CampaignStatus.COMPLETED.value)})
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["customer_id", "at", "converted"])


def history_counts(*, product: Product, now: dt.datetime | None = None) -> dict:
    examples = training_examples(product=product, now=now)
    return {"contacts": len(examples), "conversions": int(examples["converted"].sum()) if len(examples) else 0}


def eligible(counts: dict) -> bool:
    return (counts["contacts"] >= settings.PROPENSITY_MIN_CONTACTS
            and counts["conversions"] >= settings.PROPENSITY_MIN_CONVERSIONS)


@dataclass
class TrainResult:
    model: PropensityModel
    replaced: bool  # the new version became the current one
    scored: int


def propensity_train(*, product: Product, now: dt.datetime | None = None, score: bool = True,
                     min_contacts: int | None = None, min_conversions: int | None = None) -> TrainResult:
    """Learn a new version from the product's history; it becomes current if its held-out AUC is at least the
    current one's. Then the current version scores every live customer who does not hold the product."""
    now = now or timezone.now()
    examples = training_examples(product=product, now=now)
    contacts, conversions = len(examples), int(examples["converted"].sum()) if len(examples) else 0
    need_contacts = settings.PROPENSITY_MIN_CONTACTS if min_contacts is None else min_contacts
    need_conversions = settings.PROPENSITY_MIN_CONVERSIONS if min_conversions is None else min_conversions
    if contacts < need_contacts or conversions < need_conversions:
        raise NotEnoughHistory(_("%(product)s has %(contacts)d contacts and %(conversions)d conversions; a model "
                                 "needs at least %(min_contacts)d and %(min_conversions)d.") % {
            "product": product.code, "contacts": contacts, "conversions": conversions,
            "min_contacts": need_contacts, "min_conversions": need_conversions})
    frame = features_frame(Points(customer_ids=examples["customer_id"].to_numpy(),
                                  moments=examples["at"]))
    labels = examples["converted"].to_numpy(dtype=int)
    learning = _learning()
    try:
        fitted, metrics, _held_out = learning.fit(frame, labels, frame["customer_id"].to_numpy())
    except ValueError as exc:
        raise NotEnoughHistory(_("%(product)s: too few conversions to hold some customers out for testing.")
                               % {"product": product.code}) from exc
    with transaction.atomic():
        Product.objects.select_for_update().filter(pk=product.pk).first()  # one training per product at a time
        version = (PropensityModel.objects.filter(product=product).aggregate(v=Max("version"))["v"] or 0) + 1
        current = PropensityModel.objects.filter(product=product, is_current=True).first()
        replaced = current is None or (current.auc or 0) <= metrics["auc"]
        if replaced and current is not None:
            PropensityModel.objects.filter(pk=current.pk).update(is_current=False)
        model = PropensityModel.objects.create(
            product=product, version=version, trained_at=now, algorithm=learning.ALGORITHM,
            training_size=contacts, positives=conversions, features=FEATURES, metrics=metrics,
            fitted=fitted.dump(), is_current=replaced)
    log.info("propensity %s v%s: AUC %.3f on %d held-out contacts (%s)", product.code, version, metrics["auc"],
             metrics["held_out_size"], "now current" if replaced else "kept the current version")
    scored = 0
    if score:
        scored = propensity_score(product=product, now=now)
    return TrainResult(model=model, replaced=replaced, scored=scored)


def _learning():
    """propensity.learning, imported by the processes that train or score: it loads scikit-learn and SciPy (1 s and
    ≈ 150 MB of every process that imports it at start-up), which web workers and the ingest and score workers
    never use."""
    from . import learning

    return learning


def _candidates(product: Product) -> np.ndarray:
    sql = _CANDIDATES.format(customers=Customer._meta.db_table, accounts=Account._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"gone": (CustomerStatus.CLOSED.value, CustomerStatus.DECEASED.value),
                             "product": product.pk, "closed": AccountStatus.CLOSED.value})
        return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


def propensity_score(*, product: Product, now: dt.datetime | None = None) -> int:
    """Score every live customer without the product with the current model; replaces the product's scores."""
    now = now or timezone.now()
    model = PropensityModel.objects.filter(product=product, is_current=True).first()
    if model is None:
        return 0
    learning = _learning()
    fitted = learning.Fitted.load(model.fitted)
    ids = _candidates(product)
    frame = features_frame(Points(customer_ids=ids, moments=pd.Series([now] * len(ids)), current=True))
    probabilities = fitted.probabilities(frame) if len(frame) else np.array([])
    deciles = learning.deciles_of(probabilities)
    facts = reason_facts(frame, fitted.contributions(frame)) if len(frame) else []
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # noqa: TID251 - COPY input read back by PostgreSQL, not an export
    stamp = now.isoformat()
    writer.writerows(zip(frame["customer_id"].tolist(), [product.pk] * len(frame), [model.pk] * len(frame),
                         np.round(probabilities, 6).tolist(), deciles.tolist(),
                         [json.dumps(f, ensure_ascii=False) for f in facts], [stamp] * len(frame), strict=True))
    buffer.seek(0)
    table = connection.ops.quote_name(PropensityScore._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE product_id = %s", [product.pk])  # noqa: S608 - model metadata
        cursor.copy_expert(f"COPY {table} (customer_id, product_id, model_id, probability, decile, reasons, "
                           "computed_at) FROM STDIN WITH (FORMAT csv)", buffer)
        PropensityModel.objects.filter(pk=model.pk).update(scored_at=now, scored=len(frame))
    return len(frame)


def propensity_train_all(*, now: dt.datetime | None = None) -> dict[str, str]:
    """Every active product with enough history (the nightly run); products without are skipped, not failed."""
    done = {}
    for product in Product.objects.filter(active=True).order_by("code"):
        try:
            result = propensity_train(product=product, now=now)
        except NotEnoughHistory as exc:
            done[product.code] = exc.message
            continue
        done[product.code] = f"v{result.model.version} AUC {result.model.auc} " + (
            "current" if result.replaced else "not better than the current version")
    return done


_PREDICTIONS = """
INSERT INTO {predictions} (campaign_id, customer_id, model_id, probability, decile)
SELECT r.campaign_id, r.customer_id, s.model_id, s.probability, s.decile
FROM {recipients} r JOIN {scores} s ON s.customer_id = r.customer_id AND s.product_id = %(product)s
WHERE r.campaign_id = %(campaign)s AND (r.holdout OR r.skip_reason = '')
ON CONFLICT (campaign_id, customer_id) DO NOTHING
"""


def campaign_predictions_record(*, campaign_id: int) -> int:
    """Keep what the current scores expect of a launched campaign's recipients (once; later runs add nothing)."""
    campaign = Campaign.objects.filter(pk=campaign_id, status__in=Campaign.LAUNCHED).first()
    if campaign is None or CampaignPrediction.objects.filter(campaign=campaign).exists():
        return 0
    sql = _PREDICTIONS.format(predictions=CampaignPrediction._meta.db_table,
                              recipients=CampaignRecipient._meta.db_table, scores=PropensityScore._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"product": campaign.product_id, "campaign": campaign.pk})
        return cursor.rowcount


def campaigns_predictions_record() -> list[int]:
    """Launched campaigns without a prediction yet whose product has scores (beat: the fan-out may be done)."""
    ids = list(Campaign.objects.filter(status__in=Campaign.LAUNCHED, fanout_done_at__isnull=False,
                                       product__propensity_scores__isnull=False)
               .exclude(predictions__isnull=False).values_list("pk", flat=True).distinct())
    return [pk for pk in ids if campaign_predictions_record(campaign_id=pk)]


def campaigns_window_closed(*, now: dt.datetime | None = None, since: dt.timedelta = dt.timedelta(days=1)) -> list[str]:
    """Products of campaigns whose conversion window closed in the last `since`: their answers are all in."""
    now = now or timezone.now()
    codes = set()
    for campaign in Campaign.objects.filter(status__in=Campaign.LAUNCHED, started_at__isnull=False).select_related(
            "product").only("started_at", "conversion_window_days", "product__code"):
        closes = campaign.started_at + dt.timedelta(days=campaign.conversion_window_days)
        if now - since < closes <= now:
            codes.add(campaign.product.code)
    return sorted(codes)
