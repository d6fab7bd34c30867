"""Reads of the propensity app: next-best offers of a customer, model cards, a campaign's predicted vs. actual."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, AccountStatus, Product
from campaigns.models import CampaignRecipient, ContactResponse, OfferOutcome
from customers.models import Customer

from .explain import feature_label, reasons_text
from .models import CampaignPrediction, PropensityModel, PropensityScore
from .services import eligible, history_counts

OFFERS_SHOWN = 3
# a product the customer declined or took at the counter is not offered again for this long
OFFER_REST = dt.timedelta(days=30)


def product_value(product: Product) -> Decimal:
    """The yearly value to the bank of one more customer holding a product of this kind (settings)."""
    return Decimal(str(settings.PROPENSITY_PRODUCT_VALUE.get(product.kind, settings.PROPENSITY_PRODUCT_VALUE_DEFAULT)))


def band(decile: int) -> tuple[str, str]:
    """(code, label) of the probability band: by the customer's rank among those without the product."""
    if decile <= 2:
        return "high", _("High")
    if decile <= 5:
        return "medium", _("Medium")
    return "low", _("Low")


@dataclass
class Offer:
    product: Product
    probability: float
    decile: int
    band: str
    band_label: str
    expected_value: Decimal
    reasons: list[str]
    model_version: int
    weak: bool


def _offer_scores(*, customer_ids, now: dt.datetime):
    """The current models' scores of these customers for active products each does not hold and has not
    declined or taken in the last OFFER_REST: one query, products and models joined."""
    held = (Account.objects.filter(customer_id=OuterRef("customer_id"), product_id=OuterRef("product_id"))
            .exclude(status=AccountStatus.CLOSED))
    resting = ContactResponse.objects.filter(
        customer_id=OuterRef("customer_id"), product_id=OuterRef("product_id"), contacted_at__gte=now - OFFER_REST,
        outcome__in=[OfferOutcome.DECLINED, OfferOutcome.CONVERTED])
    return (PropensityScore.objects.filter(customer_id__in=customer_ids, product__active=True,
                                           model__is_current=True)
            .exclude(Exists(held)).exclude(Exists(resting))
            .select_related("product", "model"))


def _offer(score: PropensityScore) -> Offer:
    value = product_value(score.product)
    code, label = band(score.decile)
    return Offer(product=score.product, probability=score.probability, decile=score.decile, band=code,
                 band_label=label, expected_value=(Decimal(str(score.probability)) * value).quantize(Decimal("0.01")),
                 reasons=reasons_text(score.reasons), model_version=score.model.version, weak=is_weak(score.model))


def _ranked(offers: list[Offer]) -> list[Offer]:
    """Best first: probability × the product's value, then probability, then the product code."""
    return sorted(offers, key=lambda o: (-o.expected_value, -o.probability, o.product.code))


def next_best_offers(*, customer: Customer, now: dt.datetime | None = None, limit: int = OFFERS_SHOWN) -> list[Offer]:
    """The top products the customer does not hold, by probability × the product's value, with their reasons."""
    scores = _offer_scores(customer_ids=[customer.pk], now=now or timezone.now())
    return _ranked([_offer(score) for score in scores])[:limit]


def top_offers(*, customer_ids: list[int], now: dt.datetime | None = None) -> dict[int, Offer]:
    """Customer id -> the first of their next_best_offers (the one the 360 page shows first), for a page of
    customers in one query; customers with no offer are left out."""
    by_customer: dict[int, list[Offer]] = {}
    for score in _offer_scores(customer_ids=customer_ids, now=now or timezone.now()):
        by_customer.setdefault(score.customer_id, []).append(_offer(score))
    return {customer_id: _ranked(offers)[0] for customer_id, offers in by_customer.items()}


def is_weak(model: PropensityModel) -> bool:
    return (model.auc or 0) < settings.PROPENSITY_WEAK_AUC


def current_model(*, product: Product) -> PropensityModel | None:
    return PropensityModel.objects.filter(product=product, is_current=True).first()


def model_card(*, product: Product) -> dict:
    """What a manager needs to judge a product's model: metrics, charts' data, strongest features, warnings."""
    model = current_model(product=product)
    counts = history_counts(product=product)
    warnings = []
    if not eligible(counts):
        warnings.append(_("Too little history: %(contacts)d contacts and %(conversions)d conversions, where a model "
                          "needs at least %(min_contacts)d and %(min_conversions)d. Its scores are not to be "
                          "trusted.") % {**counts, "min_contacts": settings.PROPENSITY_MIN_CONTACTS,
                                         "min_conversions": settings.PROPENSITY_MIN_CONVERSIONS})
    card = {"product": product, "history": counts, "model": model, "warnings": warnings, "versions":
            list(PropensityModel.objects.filter(product=product).order_by("-version")
                 .values("version", "trained_at", "training_size", "positives", "is_current", "metrics__auc"))}
    if model is None:
        if eligible(counts):
            warnings.append(_("No model yet: it is trained tonight, or now with train_propensity."))
        return card
    metrics = model.metrics or {}
    auc = metrics.get("auc") or 0
    if auc < settings.PROPENSITY_WEAK_AUC:
        warnings.append(_("This model is weak: on customers it did not learn from it ranks takers barely better "
                          "than chance (AUC %(auc).2f; 0.5 is chance, below %(weak).1f is weak). Do not use it to "
                          "choose customers.") % {"auc": auc, "weak": settings.PROPENSITY_WEAK_AUC})
    card.update({
        "weak": auc < settings.PROPENSITY_WEAK_AUC,
        "metrics": metrics,
        "strongest": [{"feature": s["feature"], "label": feature_label(s["feature"]), "weight": s["weight"]}
                      for s in metrics.get("strongest", [])],
        "chart_text": {"lift": _("Lift"), "predicted": _("Predicted"), "actual": _("Actual")},
        "charts": {"deciles": [d["decile"] for d in metrics.get("deciles", [])],
                   "lift": [d["lift"] for d in metrics.get("deciles", [])],
                   "predicted": [d["predicted"] for d in metrics.get("deciles", [])],
                   "actual": [d["actual"] for d in metrics.get("deciles", [])]},
    })
    return card


def products_with_history() -> list[dict]:
    """Every active product, its current model (if any) and its history: the model cards' index."""
    models = {m.product_id: m for m in PropensityModel.objects.filter(is_current=True)}
    rows = []
    for product in Product.objects.filter(active=True).order_by("code"):
        model = models.get(product.pk)
        rows.append({"product": product, "model": model, "weak": model is not None and is_weak(model)})
    return rows


def campaign_prediction(*, campaign_id: int) -> dict | None:
    """Predicted (sum of probabilities when it started) against actual conversions, for the contacted and the
    holdout, and by decile; None when no model had scored the campaign's customers."""
    predictions = CampaignPrediction.objects.filter(campaign_id=campaign_id)
    if not predictions.exists():
        return None
    converted = dict(CampaignRecipient.objects.filter(campaign_id=campaign_id).values_list("customer_id",
                                                                                           "converted_at"))
    holdout = set(CampaignRecipient.objects.filter(campaign_id=campaign_id, holdout=True)
                  .values_list("customer_id", flat=True))
    contacted_ids = set(CampaignRecipient.objects.filter(campaign_id=campaign_id, holdout=False,
                                                         sent_at__isnull=False).values_list("customer_id", flat=True))
    groups = {"contacted": {"size": 0, "predicted": 0.0, "actual": 0},
              "holdout": {"size": 0, "predicted": 0.0, "actual": 0}}
    deciles = {d: {"decile": d, "size": 0, "predicted": 0.0, "actual": 0} for d in range(1, 11)}
    version = None
    for customer_id, probability, decile, model_version in predictions.values_list(
            "customer_id", "probability", "decile", "model__version"):
        version = model_version
        group = "holdout" if customer_id in holdout else "contacted" if customer_id in contacted_ids else None
        if group is None:
            continue
        hit = converted.get(customer_id) is not None
        groups[group]["size"] += 1
        groups[group]["predicted"] += probability
        groups[group]["actual"] += int(hit)
        if group == "contacted":
            deciles[decile]["size"] += 1
            deciles[decile]["predicted"] += probability
            deciles[decile]["actual"] += int(hit)
    for row in (*groups.values(), *deciles.values()):
        row["predicted"] = round(row["predicted"], 1)
    return {"model_version": version, **groups, "deciles": [d for d in deciles.values() if d["size"]]}


def audience_expectation(*, product: Product, customer_ids_sql: str, params: dict, scope_branch_id: int | None) -> dict:
    """Expected conversions of an audience (sum of probabilities) and of a random audience of the same size
    (its size × the average probability of every scored customer in scope). customer_ids_sql takes named
    parameters (`params`), as the audience's SQL does."""
    table = PropensityScore._meta.db_table
    customers = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), COALESCE(sum(s.probability), 0), count(s.id) FROM ({customer_ids_sql}) AS e "  # noqa: S608 - table names from the models, values as parameters
                       f"LEFT JOIN {table} s ON s.customer_id = e.id AND s.product_id = %(expectation_product_id)s",
                       {**params, "expectation_product_id": product.pk})
        size, expected, scored = cursor.fetchone()
        cursor.execute(f"SELECT COALESCE(avg(s.probability), 0) FROM {table} s "  # noqa: S608 - table names from the models, values as parameters
                       f"JOIN {customers} c ON c.id = s.customer_id "
                       "WHERE s.product_id = %s AND (%s::bigint IS NULL OR c.home_branch_id = %s)",
                       [product.pk, scope_branch_id, scope_branch_id])
        average = cursor.fetchone()[0]
    return {"audience": size, "scored": scored, "expected_conversions": round(float(expected), 1),
            "random_expected_conversions": round(float(average) * size, 1)}


def scores_summary(*, product: Product) -> dict:
    row = PropensityScore.objects.filter(product=product).aggregate(n=Count("pk"), total=Sum("probability"),
                                                                     top=Count("pk", filter=Q(decile=1)))
    return {"scored": row["n"], "expected_conversions": round(row["total"] or 0, 1)}
