"""Shapes of the scores API: a customer's score card and alerts (used by the teller's 360), the branch
dashboard, the per-branch summary and the score runs. Money and shares are decimal strings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.api.serializers import BranchBriefSerializer
from scoring.models import TOTAL_MAX_DIGITS, RunKind, RunStatus, Tier

MONEY = {"max_digits": TOTAL_MAX_DIGITS, "decimal_places": 2, "read_only": True}
SHARE = {"max_digits": 5, "decimal_places": 4, "read_only": True, "allow_null": True}
SEVERITIES = [("high", _("High")), ("warn", _("Warning")), ("info", _("Information"))]


# --- one customer ----------------------------------------------------------------------------------


class ChannelShareSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    share = serializers.DecimalField(**SHARE)


class CategoryPreferenceSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    share = serializers.DecimalField(**SHARE, help_text=_("Share of the customer's card spend, 365 days."))
    lift = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True,
                                    help_text=_("This share divided by the share of all customers."))


class ScoreCardSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    value_score = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True,
                                           help_text=_("0 to 100: a weighted blend of percentile ranks."))
    value_percentile = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    top_percent = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    drivers = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text=_("The figures that lift the score most: aum, revenue, card_spend, "
                                                "frequency, recency, products."))
    explanation = serializers.CharField(read_only=True, help_text=_("In the request's language."))
    as_of = serializers.DateTimeField(read_only=True)
    computed_at = serializers.DateTimeField(read_only=True)
    recency_days = serializers.IntegerField(read_only=True, allow_null=True,
                                            help_text=_("Days since the last transaction; null: never."))
    frequency = serializers.IntegerField(read_only=True, help_text=_("Transactions in 365 days."))
    monetary = serializers.DecimalField(**MONEY, help_text=_("Debits in 365 days."))
    card_spend = serializers.DecimalField(**MONEY)
    aum = serializers.DecimalField(**MONEY)
    loan_balance = serializers.DecimalField(**MONEY)
    product_count = serializers.IntegerField(read_only=True)
    annual_revenue = serializers.DecimalField(**MONEY, help_text=_("Estimated annual revenue."))
    preferred_channel = serializers.CharField(read_only=True, help_text=_("Inferred; empty without activity."))
    preferred_channel_label = serializers.CharField(read_only=True)
    self_service_ratio = serializers.DecimalField(**SHARE)
    usual_time_of_day = serializers.CharField(read_only=True)
    usual_time_of_day_label = serializers.CharField(read_only=True)
    channel_mix = ChannelShareSerializer(many=True, read_only=True,
                                         help_text=_("Share of transactions per channel, 180 days."))
    top_categories = CategoryPreferenceSerializer(many=True, read_only=True)
    net_outflow_30d = serializers.DecimalField(**MONEY)
    activity_90d = serializers.IntegerField(read_only=True)
    activity_prior_90d = serializers.IntegerField(read_only=True)


class AlertSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    severity = serializers.ChoiceField(choices=SEVERITIES, read_only=True)
    text = serializers.CharField(read_only=True, help_text=_("The reason, in the request's language."))
    params = serializers.DictField(read_only=True, help_text=_("The stored figures the reason quotes."))


# --- the branch dashboard ----------------------------------------------------------------------------


class CustomerCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(read_only=True)
    scored = serializers.IntegerField(read_only=True)
    not_scored = serializers.IntegerField(read_only=True)


class TierFigureSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    customers = serializers.IntegerField(read_only=True)
    aum = serializers.DecimalField(**MONEY)


class ChannelMeanSerializer(serializers.Serializer):
    channel = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    share = serializers.DecimalField(**SHARE)


class ChannelMixSerializer(serializers.Serializer):
    customers = serializers.IntegerField(read_only=True, help_text=_("Customers with activity in 180 days."))
    shares = ChannelMeanSerializer(many=True, read_only=True,
                                   help_text=_("Mean share per channel over those customers, largest first."))


class SelfServiceSerializer(serializers.Serializer):
    customers = serializers.IntegerField(read_only=True, help_text=_("Customers with activity in 180 days."))
    adopters = serializers.IntegerField(read_only=True,
                                        help_text=_("Of them, those whose self-service ratio reaches threshold."))
    adoption = serializers.DecimalField(**SHARE)
    mean_ratio = serializers.DecimalField(**SHARE)
    threshold = serializers.DecimalField(**SHARE)


class CategoryMeanSerializer(serializers.Serializer):
    category = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    share = serializers.DecimalField(**SHARE)


class TopCategoriesSerializer(serializers.Serializer):
    customers = serializers.IntegerField(read_only=True, help_text=_("Customers with card spend in 365 days."))
    shares = CategoryMeanSerializer(many=True, read_only=True,
                                    help_text=_("Mean spend share per category over those customers; top 5, "
                                                "cash left out."))


class AlertCountSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    severity = serializers.ChoiceField(choices=SEVERITIES, read_only=True)
    customers = serializers.IntegerField(read_only=True)


class AlertCustomerSerializer(serializers.Serializer):
    """One customer of an alert list: the masked name, never the full one (the 360 has it, and logs the look)."""

    customer_no = serializers.CharField(source="customer.customer_no", read_only=True)
    masked_name = serializers.CharField(read_only=True, help_text="Family name and a star per other character.")
    home_branch = serializers.CharField(source="customer.home_branch.code", read_only=True)
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    severity = serializers.ChoiceField(choices=SEVERITIES, read_only=True)
    text = serializers.CharField(read_only=True, help_text="The alert's reason, in the request's language.")


class RunBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=RunKind.choices, read_only=True)
    as_of = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True)


class DashboardMoneySerializer(serializers.Serializer):
    base_currency = serializers.CharField(read_only=True, help_text=_("The unit of every money figure here."))
    run = RunBriefSerializer(read_only=True, allow_null=True, help_text=_("The newest finished full run."))
    rates = serializers.DictField(read_only=True, help_text=_("The rates that run converted balances at."))
    unconverted = serializers.DictField(read_only=True, help_text=_(
        "What that run left out for want of an exchange rate, bank-wide (see the score runs); empty when none."))


class BranchDashboardSerializer(serializers.Serializer):
    branch = BranchBriefSerializer(read_only=True, allow_null=True, help_text=_("null: every branch."))
    customers = CustomerCountsSerializer(read_only=True)
    tiers = TierFigureSerializer(many=True, read_only=True)
    aum_total = serializers.DecimalField(**MONEY)
    channel_mix = ChannelMixSerializer(read_only=True)
    self_service = SelfServiceSerializer(read_only=True)
    top_categories = TopCategoriesSerializer(read_only=True)
    alerts = AlertCountSerializer(many=True, read_only=True)
    run = RunBriefSerializer(read_only=True, allow_null=True, help_text=_("The newest finished score run."))
    money = DashboardMoneySerializer(read_only=True)


class BranchSummarySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    customers = serializers.IntegerField(source="customer_count", read_only=True)
    scored = serializers.IntegerField(read_only=True)
    aum = serializers.DecimalField(**MONEY, allow_null=True)
    mean_value_score = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, allow_null=True)
    tiers = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_tiers(self, branch) -> dict:
        return {tier: getattr(branch, f"tier_{tier}") for tier in Tier.values}


# --- score runs ----------------------------------------------------------------------------------------


class ScoreRunFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RunKind.choices, required=False)
    status = serializers.ChoiceField(choices=RunStatus.choices, required=False)


class ScoreRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=RunKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=RunStatus.choices, read_only=True)
    as_of = serializers.DateTimeField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    customers_scored = serializers.IntegerField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    batch_id = serializers.IntegerField(read_only=True, allow_null=True)
    based_on = serializers.IntegerField(source="based_on_id", read_only=True, allow_null=True,
                                        help_text=_("The full run whose cut-offs an incremental run used."))
    timings = serializers.DictField(read_only=True)
    base_currency = serializers.CharField(read_only=True, help_text=_("The unit of the run's money figures."))
    fx_rates = serializers.DictField(read_only=True, help_text=_(
        "Per currency, the rate balances converted at: {\"rate\", \"rate_date\"}."))
    unconverted = serializers.DictField(read_only=True, help_text=_(
        "Money left out for want of an exchange rate: {\"currencies\": {code: {\"accounts\", \"balance\", "
        "\"transactions\", \"transaction_accounts\", \"amount\"}}, \"customers\"}; empty when none."))
    error = serializers.CharField(read_only=True)
    requested_by = serializers.SerializerMethodField()

    def get_requested_by(self, run) -> str | None:
        user = run.requested_by
        return user.username if user else None
