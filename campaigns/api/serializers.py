"""Shapes of the campaigns API. Checking the values is the services' job (one set of rules for pages
and API); these describe the bodies for the OpenAPI schema and render the answers, masked."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ..models import CampaignChannel, OfferOutcome
from ..selectors import campaign_counts


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    name = serializers.CharField(read_only=True)
    product = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    branch = serializers.CharField(source="branch.code", read_only=True, allow_null=True, default=None)
    status = serializers.CharField(read_only=True, help_text=gettext_lazy(
        "draft, pending_approval, approved, scheduled, running, completed or cancelled."))
    channels = serializers.ListField(child=serializers.ChoiceField(choices=CampaignChannel.choices), read_only=True)
    messages = serializers.JSONField(read_only=True)
    audience = serializers.JSONField(read_only=True)
    holdout_share = serializers.DecimalField(max_digits=4, decimal_places=3, read_only=True)
    send_at = serializers.DateTimeField(read_only=True)
    quiet_start = serializers.TimeField(read_only=True)
    quiet_end = serializers.TimeField(read_only=True)
    frequency_cap = serializers.IntegerField(read_only=True, allow_null=True)
    effective_frequency_cap = serializers.IntegerField(read_only=True)
    conversion_window_days = serializers.IntegerField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, allow_null=True,
                                        default=None)
    approved_at = serializers.DateTimeField(read_only=True)
    launched_at = serializers.DateTimeField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True)
    cancelled_at = serializers.DateTimeField(read_only=True)

    def get_url(self, campaign) -> str:
        path = reverse("campaigns-api:campaign-detail", args=[campaign.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    eligible = serializers.IntegerField()
    holdout = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.IntegerField())
    excluded = serializers.DictField(child=serializers.IntegerField())


class CampaignDetailSerializer(CampaignSerializer):
    counts = serializers.SerializerMethodField()

    def get_counts(self, campaign) -> CountsSerializer:
        return campaign_counts(campaign=campaign)


class CampaignWriteSerializer(serializers.Serializer):
    """The body of create (name, product, channels required) and update (any subset; drafts only)."""

    name = serializers.CharField(max_length=120)
    product = serializers.CharField(help_text=gettext_lazy("Product code."))
    channels = serializers.ListField(child=serializers.ChoiceField(choices=CampaignChannel.choices),
                                     help_text=gettext_lazy("In order of preference."))
    messages = serializers.JSONField(required=False, help_text=gettext_lazy(
        '{CHANNEL: {"zh-hans"|"en": {"body": "...", "subject": "... (EMAIL)"}}}; placeholders {name}, {product}, '
        '{branch}.'))
    audience = serializers.JSONField(required=False, help_text=gettext_lazy("The audience filters (DESIGN §7)."))
    holdout_share = serializers.CharField(required=False, help_text=gettext_lazy('0 to 0.5, e.g. "0.1".'))
    send_at = serializers.DateTimeField(required=False, allow_null=True)
    quiet_start = serializers.TimeField(required=False, allow_null=True)
    quiet_end = serializers.TimeField(required=False, allow_null=True)
    frequency_cap = serializers.IntegerField(required=False, allow_null=True)
    conversion_window_days = serializers.IntegerField(required=False)


class PreviewRequestSerializer(serializers.Serializer):
    product = serializers.CharField(help_text=gettext_lazy("Product code."))
    channels = serializers.ListField(child=serializers.ChoiceField(choices=CampaignChannel.choices))
    audience = serializers.JSONField(required=False)
    frequency_cap = serializers.IntegerField(required=False, allow_null=True)


class SampleSerializer(serializers.Serializer):
    customer_no = serializers.CharField()
    name = serializers.CharField()
    masked_mobile = serializers.CharField()
    home_branch = serializers.CharField()
    channel = serializers.CharField()
    language = serializers.CharField()


class ExcludedSerializer(serializers.Serializer):
    no_consent = serializers.IntegerField()
    do_not_contact = serializers.IntegerField()
    frequency_cap = serializers.IntegerField()
    holds_product = serializers.IntegerField()


class ExpectationSerializer(serializers.Serializer):
    audience = serializers.IntegerField(help_text=gettext_lazy("Eligible customers."))
    scored = serializers.IntegerField(help_text=gettext_lazy("Of them, those with a score for the product."))
    expected_conversions = serializers.FloatField(help_text=gettext_lazy("Sum of their probabilities."))
    random_expected_conversions = serializers.FloatField(
        help_text=gettext_lazy("What a random audience of the same size would give."))


class PreviewSerializer(serializers.Serializer):
    eligible = serializers.IntegerField()
    excluded = ExcludedSerializer()
    by_channel = serializers.DictField(child=serializers.IntegerField())
    sample = SampleSerializer(many=True)
    propensity = ExpectationSerializer(required=False, allow_null=True, help_text=gettext_lazy(
        "Expected conversions when the product has a propensity model (absent without the propensity app)."))


class AudienceCountRequestSerializer(serializers.Serializer):
    audience = serializers.JSONField()


class AudienceCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class RecipientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer_no = serializers.CharField(source="customer.customer_no")
    name = serializers.CharField(source="customer.display_name")
    masked_mobile = serializers.CharField(source="customer.masked_mobile")
    masked_email = serializers.CharField(source="customer.masked_email")
    channel = serializers.CharField()
    holdout = serializers.BooleanField()
    status = serializers.CharField()
    skip_reason = serializers.CharField()
    language = serializers.CharField()
    attempts = serializers.IntegerField()
    sent_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField()
    response = serializers.CharField()
    converted_at = serializers.DateTimeField()
    error = serializers.CharField()


class OutcomeRequestSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OfferOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ResultsSerializer(serializers.Serializer):
    computed_at = serializers.CharField()
    window_days = serializers.IntegerField()
    funnel = serializers.DictField(child=serializers.IntegerField())
    by_channel = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    by_day = serializers.ListField(child=serializers.DictField())
    treated = serializers.DictField(help_text="The customers a message reached (size, converted, rate).")
    assigned = serializers.DictField(
        required=False, help_text="Every eligible customer assigned to be contacted, reached or not (size, converted, "
                                  "rate): the intention-to-treat group.")
    holdout = serializers.DictField()
    lift = serializers.DictField(allow_null=True, help_text="Intention to treat: assigned against the holdout.")
    lift_contacted = serializers.DictField(allow_null=True, required=False,
                                           help_text="The contacted only against the holdout (per contacted).")


class CallListRevealSerializer(serializers.Serializer):
    reveal = serializers.BooleanField(help_text="true: full mobile numbers, one reveal per customer in the access log.")


class OverlapSerializer(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    name = serializers.CharField()
    customers = serializers.IntegerField(help_text="Customers of this audience the running campaign targets.")


class LaunchCountsSerializer(serializers.Serializer):
    selected = serializers.IntegerField(help_text="Customers the filters select.")
    eligible = serializers.IntegerField(help_text="Not excluded (holdout included).")
    contacted = serializers.IntegerField(help_text="Eligible and not in the holdout.")
    by_channel = serializers.DictField(child=serializers.IntegerField(), help_text="Contacted, per channel.")
    holdout = serializers.IntegerField()
    no_consent = serializers.IntegerField(help_text="No consented channel among the chosen ones.")
    excluded = ExcludedSerializer()
    overlaps = OverlapSerializer(many=True, help_text="Running campaigns that already target customers of this "
                                                      "audience (a warning, not a refusal).")


class LaunchRequestSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="Must be true: the counts of GET …/launch/ were seen.")
