"""The next-best offers, model cards and campaign predictions as JSON."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from campaigns.services.contacts import COUNTER_OUTCOMES


class ProductRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)


class NextBestOfferSerializer(serializers.Serializer):
    product = ProductRefSerializer(read_only=True)
    probability = serializers.FloatField(read_only=True, help_text=_("Calibrated chance of taking it, 0 to 1."))
    decile = serializers.IntegerField(read_only=True, help_text=_("1: among the tenth most likely to take it."))
    band = serializers.CharField(read_only=True, help_text=_("high (deciles 1–2), medium (3–5) or low."))
    expected_value = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, help_text=_(
        "Probability × the product's yearly value to the bank (base currency): the ranking."))
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text=_("Up to three, in the language of the request."))
    model_version = serializers.IntegerField(read_only=True)
    weak = serializers.BooleanField(read_only=True, help_text=_("The product's model is weak (AUC under 0.6)."))


class OfferOutcomeRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in COUNTER_OUTCOMES])


class ContactResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = serializers.CharField(source="product.code", read_only=True)
    channel = serializers.CharField(read_only=True)
    contacted_at = serializers.DateTimeField(read_only=True)
    outcome = serializers.CharField(read_only=True)


class DecileSerializer(serializers.Serializer):
    decile = serializers.IntegerField()
    size = serializers.IntegerField()
    predicted = serializers.FloatField(help_text=_("Average predicted probability."))
    actual = serializers.FloatField(help_text=_("Share who converted."))
    lift = serializers.FloatField(allow_null=True, help_text=_("Actual rate over the overall rate."))


class MetricsSerializer(serializers.Serializer):
    auc = serializers.FloatField()
    brier = serializers.FloatField()
    base_rate = serializers.FloatField()
    held_out_size = serializers.IntegerField()
    held_out_positives = serializers.IntegerField()
    deciles = DecileSerializer(many=True)


class FeatureWeightSerializer(serializers.Serializer):
    feature = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.FloatField(help_text=_("Mean absolute contribution on held-out customers (log-odds)."))


class ModelCardSerializer(serializers.Serializer):
    product = ProductRefSerializer()
    history = serializers.DictField(child=serializers.IntegerField(), help_text=_("contacts and conversions."))
    version = serializers.IntegerField(source="model.version", allow_null=True, default=None)
    algorithm = serializers.CharField(source="model.algorithm", allow_null=True, default=None)
    trained_at = serializers.DateTimeField(source="model.trained_at", allow_null=True, default=None)
    training_size = serializers.IntegerField(source="model.training_size", allow_null=True, default=None)
    positives = serializers.IntegerField(source="model.positives", allow_null=True, default=None)
    scored = serializers.IntegerField(source="model.scored", allow_null=True, default=None)
    weak = serializers.BooleanField(default=True)
    metrics = MetricsSerializer(allow_null=True, default=None)
    strongest = FeatureWeightSerializer(many=True, default=list)
    warnings = serializers.ListField(child=serializers.CharField())


class ModelSummarySerializer(serializers.Serializer):
    product = ProductRefSerializer()
    version = serializers.IntegerField(source="model.version", allow_null=True, default=None)
    auc = serializers.FloatField(source="model.auc", allow_null=True, default=None)
    weak = serializers.BooleanField()


class PredictionGroupSerializer(serializers.Serializer):
    size = serializers.IntegerField()
    predicted = serializers.FloatField(help_text=_("Sum of the probabilities at launch."))
    actual = serializers.IntegerField(help_text=_("Conversions counted so far."))


class CampaignPredictionSerializer(serializers.Serializer):
    model_version = serializers.IntegerField()
    contacted = PredictionGroupSerializer()
    holdout = PredictionGroupSerializer()
    deciles = serializers.ListField(child=serializers.DictField())
