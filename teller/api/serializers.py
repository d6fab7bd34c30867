"""The customer 360 as JSON: the same facts as the page (teller.selectors.customer_360), masked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ProductKind
from crm_site.display import user_display_name
from customers.api.serializers import (
    BranchBriefSerializer,
    ConsentCurrentSerializer,
    ConsentRecordSerializer,
    InteractionSerializer,
    ServicePreferencesSerializer,
)
from propensity.api.serializers import NextBestOfferSerializer
from scoring.api.serializers import AlertSerializer, ScoreCardSerializer

MONEY = {"max_digits": 18, "decimal_places": 2, "read_only": True}


class CustomerProfileSerializer(serializers.Serializer):
    customer_no = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    gender = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    id_type = serializers.CharField(read_only=True)
    masked_id_number = serializers.CharField(read_only=True)
    id_expiry = serializers.DateField(read_only=True, allow_null=True)
    masked_mobile = serializers.CharField(read_only=True)
    masked_email = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    occupation = serializers.CharField(read_only=True)
    employer = serializers.CharField(read_only=True)
    income_band = serializers.CharField(read_only=True)
    segment = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    kyc_status = serializers.CharField(read_only=True)
    kyc_review_date = serializers.DateField(read_only=True, allow_null=True)
    risk_rating = serializers.CharField(read_only=True)
    do_not_contact = serializers.BooleanField(read_only=True)
    home_branch = BranchBriefSerializer(read_only=True)
    relationship_manager = serializers.SerializerMethodField()
    tier = serializers.SerializerMethodField(help_text=_("Value tier (AAA…C); null until scores are computed."))

    def get_relationship_manager(self, customer) -> str | None:
        manager = customer.relationship_manager
        return user_display_name(manager) if manager else None

    def get_tier(self, customer) -> str | None:
        return getattr(customer, "tier", None)  # set by teller.selectors.customer_360


class ProductBriefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)


class FxRateBriefSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True)
    rate = serializers.DecimalField(max_digits=20, decimal_places=10, read_only=True,
                                    help_text=_("Units of the base currency for one unit of the currency."))
    rate_date = serializers.DateField(read_only=True, allow_null=True, help_text=_("null for the base currency."))


class AccountSerializer(serializers.Serializer):
    account_no = serializers.CharField(read_only=True)
    product = ProductBriefSerializer(read_only=True)
    currency = serializers.CharField(read_only=True)
    balance = serializers.DecimalField(**MONEY)
    base_balance = serializers.DecimalField(**MONEY, allow_null=True, help_text=_(
        "The balance in the base currency at the latest rate; null when the currency has no rate yet."))
    fx_rate = FxRateBriefSerializer(read_only=True, allow_null=True, help_text=_("The rate base_balance used."))
    balance_as_of = serializers.DateTimeField(read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)
    opened_at = serializers.DateField(read_only=True)


class AccountGroupSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    accounts = AccountSerializer(many=True, read_only=True)


class CardSerializer(serializers.Serializer):
    masked_pan = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    expiry = serializers.DateField(read_only=True)
    account_no = serializers.CharField(source="account.account_no", read_only=True)


class HoldingsSerializer(serializers.Serializer):
    groups = serializers.SerializerMethodField(help_text=_("Open accounts grouped by product kind."))
    cards = CardSerializer(many=True, read_only=True)
    aum = serializers.DictField(child=serializers.DecimalField(**MONEY), read_only=True,
                                help_text=_("Assets under management per currency (deposits and wealth)."))
    loans = serializers.DictField(child=serializers.DecimalField(**MONEY), read_only=True,
                                  help_text=_("Amount owed per currency (loans and credit cards)."))
    base_currency = serializers.CharField(read_only=True, help_text=_("The unit of aum_base and loans_base."))
    aum_base = serializers.DecimalField(**MONEY, help_text=_(
        "AUM in the base currency, each account at its currency's latest rate; currencies without a rate are left "
        "out (see unconverted)."))
    loans_base = serializers.DecimalField(**MONEY, help_text=_("Amount owed in the base currency, likewise."))
    rate_date = serializers.DateField(read_only=True, allow_null=True, help_text=_(
        "The oldest rate date the base-currency totals used; null when all is in the base currency."))
    unconverted = serializers.ListField(child=serializers.CharField(), read_only=True, help_text=_(
        "Currencies held without an exchange rate: not in aum_base or loans_base."))
    product_count = serializers.IntegerField(read_only=True)

    @extend_schema_field(AccountGroupSerializer(many=True))
    def get_groups(self, holdings):
        groups = [{"kind": kind, "label": ProductKind(kind).label, "accounts": accounts}
                  for kind, accounts in holdings.groups.items()]
        return AccountGroupSerializer(groups, many=True).data


class TransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True)
    channel = serializers.CharField(read_only=True)
    direction = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField(read_only=True)
    balance_after = serializers.DecimalField(**MONEY, allow_null=True)
    account_no = serializers.CharField(source="account.account_no", read_only=True)
    merchant_name = serializers.CharField(read_only=True)
    mcc = serializers.CharField(read_only=True)
    category = serializers.CharField(read_only=True, help_text=_("Spending category of the MCC; empty if none."))
    description = serializers.CharField(read_only=True)


class TransactionPageSerializer(serializers.Serializer):
    """A page of the teller's transaction list (a Django Page)."""

    page = serializers.IntegerField(source="number", read_only=True)
    page_size = serializers.IntegerField(source="paginator.per_page", read_only=True)
    count = serializers.IntegerField(source="paginator.count", read_only=True)
    num_pages = serializers.IntegerField(source="paginator.num_pages", read_only=True)
    results = TransactionSerializer(source="object_list", many=True, read_only=True)


class MonthlyInOutSerializer(serializers.Serializer):
    month = serializers.CharField(read_only=True, help_text="YYYY-MM")

    def get_fields(self):
        fields = super().get_fields()
        # "in" is a Python keyword, so these two cannot be class attributes
        fields["in"] = serializers.DecimalField(**MONEY)
        fields["out"] = serializers.DecimalField(**MONEY)
        return fields


class ChartsSerializer(serializers.Serializer):
    channel_mix = serializers.DictField(child=serializers.IntegerField(), read_only=True,
                                        help_text=_("Customer-initiated transactions per channel, 180 days."))
    monthly = MonthlyInOutSerializer(many=True, read_only=True)
    categories = serializers.DictField(child=serializers.DecimalField(**MONEY), read_only=True,
                                       help_text=_("Card and POS spend per category, 365 days."))


class CampaignBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    offer_ends_at = serializers.DateTimeField(read_only=True, allow_null=True)


class OfferSerializer(serializers.Serializer):
    """An open counter offer: what to pitch to this customer, in their language."""

    id = serializers.IntegerField(read_only=True, help_text=_(
        "The recipient id: POST /api/v1/campaigns/recipients/{id}/outcome/ records the customer's answer."))
    campaign = CampaignBriefSerializer(read_only=True)
    product = ProductBriefSerializer(source="campaign.product", read_only=True)
    pitch = serializers.CharField(read_only=True, help_text=_("The campaign's counter text, filled in for this "
                                                              "customer."))


class Customer360Serializer(serializers.Serializer):
    customer = CustomerProfileSerializer(read_only=True)
    service_preferences = ServicePreferencesSerializer(source="customer", read_only=True)
    alerts = AlertSerializer(many=True, read_only=True, help_text=_("Most urgent first; empty until computed."))
    holdings = HoldingsSerializer(read_only=True)
    transactions = TransactionPageSerializer(read_only=True, help_text=_("The newest 20 transactions."))
    charts = ChartsSerializer(read_only=True)
    scores = ScoreCardSerializer(read_only=True, allow_null=True,
                                 help_text=_("Value and preference scores; null until computed."))
    consents = ConsentCurrentSerializer(many=True, read_only=True)
    consent_history = ConsentRecordSerializer(many=True, read_only=True)
    interactions = InteractionSerializer(many=True, read_only=True, help_text=_("The newest 50, newest first."))
    offers = OfferSerializer(many=True, read_only=True, help_text=_("Open counter offers to pitch (campaigns)."))
    next_best_offers = NextBestOfferSerializer(many=True, read_only=True, help_text=_(
        "Up to three products not held, by probability × value (propensity models), with reasons."))


# --- search ---------------------------------------------------------------------------------

class CustomerSearchResultSerializer(serializers.Serializer):
    customer_no = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    masked_id_number = serializers.CharField(read_only=True)
    masked_mobile = serializers.CharField(read_only=True)
    home_branch = BranchBriefSerializer(read_only=True)
    age = serializers.IntegerField(read_only=True, allow_null=True)
    tier = serializers.CharField(read_only=True, allow_null=True,
                                 help_text=_("Value tier (AAA…C); null until the customer's scores are computed."))
    top_offer = NextBestOfferSerializer(read_only=True, allow_null=True, help_text=_(
        "The product to offer first: the first of the 360's next_best_offers; null when no current model "
        "offers the customer anything."))


class CustomerSearchSerializer(serializers.Serializer):
    exact_identifier = serializers.BooleanField(
        read_only=True, help_text=_("The query was an identifier that matched: open the profile directly."))
    results = CustomerSearchResultSerializer(source="customers", many=True, read_only=True)
