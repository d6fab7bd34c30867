"""Next-best offer (DESIGN §7b): per-product propensity models and the scores they give customers.

A PropensityModel is one trained version for one product: what it learned from (size, positives, the
features), how well it does on held-out customers (metrics) and the fitted estimator itself. At most one
version per product is current; a new one becomes current only if its held-out AUC is at least the
current one's. PropensityScore holds the current model's answer for every live customer who does not
hold the product: probability, decile and the reasons, stored as facts and worded when read.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Product
from customers.models import Customer


class PropensityModel(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="propensity_models",
                                verbose_name=_("product"))
    version = models.PositiveIntegerField(_("version"))
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    algorithm = models.CharField(_("algorithm"), max_length=64)
    training_size = models.PositiveIntegerField(_("contacts learned from"))
    positives = models.PositiveIntegerField(_("conversions learned from"))
    features = models.JSONField(_("features"), default=list)
    metrics = models.JSONField(_("held-out metrics"), default=dict)
    # the fitted estimator (joblib); written and read only by propensity.learning, never from outside
    fitted = models.BinaryField(_("fitted model"), editable=False)
    is_current = models.BooleanField(_("current"), default=False)
    scored_at = models.DateTimeField(_("customers scored at"), null=True, blank=True)
    scored = models.PositiveIntegerField(_("customers scored"), default=0)

    class Meta:
        ordering = ["product", "-version"]
        verbose_name = _("propensity model")
        verbose_name_plural = _("propensity models")
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="propensity_model_version"),
            models.UniqueConstraint(fields=["product"], condition=models.Q(is_current=True),
                                    name="propensity_one_current_model"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} v{self.version}"

    @property
    def auc(self) -> float | None:
        return (self.metrics or {}).get("auc")


class PropensityScore(models.Model):
    """The current model's answer for one customer and one product they do not hold."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="propensity_scores",
                                 verbose_name=_("customer"), db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="propensity_scores",
                                verbose_name=_("product"))
    model = models.ForeignKey(PropensityModel, on_delete=models.CASCADE, related_name="scores",
                              verbose_name=_("model version"))
    probability = models.FloatField(_("probability"))
    decile = models.PositiveSmallIntegerField(_("decile"), help_text=_("1: the tenth most likely to take it."))
    # [{"f": "aum", "top": 10}, {"f": "holds", "kind": "MORTGAGE"}, ...]: facts, worded by propensity.explain
    reasons = models.JSONField(_("reasons"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("propensity score")
        verbose_name_plural = _("propensity scores")
        constraints = [models.UniqueConstraint(fields=["customer", "product"], name="propensity_score_once")]
        indexes = [models.Index(fields=["product", "-probability"], name="propensity_by_product")]

    def __str__(self) -> str:
        return f"{self.customer_id}:{self.product_id} {self.probability:.3f}"


class CampaignPrediction(models.Model):
    """What the current model expected of a campaign's customers when it started (predicted vs. actual).

    One row per recipient (contacted or holdout) who had a score for the campaign's product; written once,
    by propensity.services.campaign_predictions_record, so later models do not rewrite the prediction.
    """

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="predictions",
                                 verbose_name=_("campaign"), db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer"))
    model = models.ForeignKey(PropensityModel, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("model version"))
    probability = models.FloatField(_("probability"))
    decile = models.PositiveSmallIntegerField(_("decile"))

    class Meta:
        verbose_name = _("campaign prediction")
        verbose_name_plural = _("campaign predictions")
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="prediction_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.customer_id} {self.probability:.3f}"
