from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import FX_RATE_PLACES
from crm_site.currencies import ISO_4217


class FxRateFilterSerializer(serializers.Serializer):
    currency = serializers.CharField(required=False, max_length=3, help_text=_("ISO 4217 code, e.g. USD."))
    date_from = serializers.DateField(required=False, help_text=_("First rate date, YYYY-MM-DD."))
    date_to = serializers.DateField(required=False, help_text=_("Last rate date, YYYY-MM-DD."))

    def validate_currency(self, value: str) -> str:
        code = value.upper()
        if code not in ISO_4217:
            raise serializers.ValidationError(_("Not an ISO 4217 currency code."))
        return code

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The last date is before the first.")]})
        return attrs


class FxRateSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True)
    rate_date = serializers.DateField(read_only=True)
    rate = serializers.DecimalField(max_digits=10 + FX_RATE_PLACES, decimal_places=FX_RATE_PLACES, read_only=True,
                                    help_text=_("Units of the base currency for one unit of the currency."))
    base_currency = serializers.SerializerMethodField()
    loaded_at = serializers.DateTimeField(read_only=True)

    def get_base_currency(self, rate) -> str:
        return self.context["base_currency"]
