"""The audience key `propensity` (DESIGN §7b) and the preview's expected conversions, plugged into the campaigns
floor's registries (campaigns.audience) from PropensityConfig.ready.

Why a registry rather than SQL naming this app's table from below: the campaigns floor keeps one rule (imports
go down, nothing there knows a table above it), the key is validated by the same serializer as every other
key, and an installation without this app simply has no `propensity` key.

`{"product": CODE, "min": "0.2"}`: customers whose probability of taking CODE is at least 0.2;
`{"product": CODE, "top_percent": 10}`: the tenth of all scored customers most likely to take it (the cut-off
is taken over every scored customer, then the other filters and the campaign's scope apply).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import Product
from campaigns.audience import (
    AudienceKey,
    StrictDecimalField,
    StrictIntegerField,
    audience_key_register,
    preview_extension_register,
)

from .models import PropensityModel, PropensityScore
from .selectors import audience_expectation


class PropensityAudienceSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=32)
    min = StrictDecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1"),
                             coerce_to_string=True, required=False)
    top_percent = StrictIntegerField(min_value=1, max_value=100, required=False)

    def validate_product(self, value: str) -> str:
        code = value.strip().upper()
        product = Product.objects.filter(code=code).first()
        if product is None:
            raise serializers.ValidationError(_("No product has the code %(code)s.") % {"code": value})
        if not PropensityModel.objects.filter(product=product, is_current=True).exists():
            raise serializers.ValidationError(_("%(code)s has no propensity model yet (see its model card).")
                                              % {"code": code})
        return code

    def validate(self, attrs):
        if ("min" in attrs) == ("top_percent" in attrs):
            raise serializers.ValidationError({"min": [_("Give either min (a probability from 0 to 1) or "
                                                         "top_percent (1 to 100), not both.")]})
        return attrs


def _normalise(value: dict) -> dict:
    result = {"product": value["product"]}
    if "min" in value:
        result["min"] = str(value["min"])
    else:
        result["top_percent"] = value["top_percent"]
    return result


def _cut_off(product_code: str, top_percent: int) -> float | None:
    """The probability at which the top `top_percent` % of the product's scored customers begins."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT percentile_disc(%s) WITHIN GROUP (ORDER BY s.probability) "  # noqa: S608 - table names from the models, values as parameters
                       f"FROM {PropensityScore._meta.db_table} s JOIN {Product._meta.db_table} p "
                       "ON p.id = s.product_id WHERE p.code = %s", [1 - top_percent / 100, product_code])
        row = cursor.fetchone()
    return row[0] if row else None


def _narrow(qs: QuerySet, value: dict) -> QuerySet:
    scores = PropensityScore.objects.filter(customer=OuterRef("pk"), product__code=value["product"])
    if "min" in value:
        scores = scores.filter(probability__gte=float(value["min"]))
    else:
        cut_off = _cut_off(value["product"], int(value["top_percent"]))
        if cut_off is None:
            return qs.none()
        scores = scores.filter(probability__gte=cut_off)
    return qs.filter(Exists(scores))


def _expectation(*, product: Product, customer_ids_sql: str, params: dict, scope_branch_id: int | None) -> dict | None:
    if not PropensityModel.objects.filter(product=product, is_current=True).exists():
        return None
    return audience_expectation(product=product, customer_ids_sql=customer_ids_sql, params=params,
                                scope_branch_id=scope_branch_id)


def register() -> None:
    audience_key_register(AudienceKey(name="propensity", field=lambda: PropensityAudienceSerializer(required=False),
                                      normalise=_normalise, narrow=_narrow))
    preview_extension_register("propensity", _expectation)
