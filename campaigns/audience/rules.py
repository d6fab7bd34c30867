"""Step 1 of the audience: its JSON checked and normalised (one serializer, the same for the form, the API
and the stored campaign), and the registry of keys and preview parts that higher floors plug in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    QuerySet,
)
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import ProductKind
from branches.models import Branch
from customers.models import ContactChannel, Gender, Segment
from scoring.models import Tier
from transactions.models import Category

from ..exceptions import CampaignInvalid

AUDIENCE_KEYS = ("age_min", "age_max", "aum_min", "aum_max", "value_tiers", "segments", "branches", "cities",
                 "gender", "holds_product_kinds", "lacks_product_kinds", "preferred_channels", "category",
                 "inactive_days_min", "self_service_ratio_max")


@dataclass(frozen=True)
class AudienceKey:
    """An audience key whose data lives on a higher floor (`propensity`: PropensityScore), plugged in from that
    app's AppConfig.ready, so this floor never imports upward. `field` checks the JSON value (a DRF field),
    `normalise` turns the checked value into what is stored, `narrow` filters the customers by it."""

    name: str
    field: Callable[[], serializers.Field]
    normalise: Callable[[Any], Any]
    narrow: Callable[[QuerySet, Any], QuerySet]


AUDIENCE_EXTENSIONS: dict[str, AudienceKey] = {}
# called by the preview with (product, SQL of the eligible customers' ids, its parameters — named, a dict —,
# scope branch): each returns a dict added to the preview's answer (propensity: expected conversions)
PREVIEW_EXTENSIONS: dict[str, Callable[..., dict]] = {}


def audience_key_register(key: AudienceKey) -> None:
    AUDIENCE_EXTENSIONS[key.name] = key


def preview_extension_register(name: str, extension: Callable[..., dict]) -> None:
    PREVIEW_EXTENSIONS[name] = extension


def audience_keys() -> tuple[str, ...]:
    return AUDIENCE_KEYS + tuple(AUDIENCE_EXTENSIONS)


class CodeListField(serializers.ListField):
    """A list of codes from one set, any case; normalised to upper case, in order, without repeats."""

    def __init__(self, *, codes, **kwargs):
        self.codes = codes
        super().__init__(child=serializers.CharField(), allow_empty=True, **kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        result = []
        for value in values:
            code = value.strip().upper() if isinstance(value, str) else value
            if code not in self.codes():
                raise serializers.ValidationError(
                    _("Unknown code %(code)s; choose from %(codes)s.")
                    % {"code": value, "codes": ", ".join(sorted(self.codes()))})
            if code not in result:
                result.append(code)
        return result


def _strict_decimal(**kwargs) -> serializers.DecimalField:
    return StrictDecimalField(max_digits=18, decimal_places=2, coerce_to_string=True, **kwargs)


class StrictDecimalField(serializers.DecimalField):
    """A decimal given as a string (or an integer): a float would already have lost its exact value."""

    def to_internal_value(self, data):
        if isinstance(data, float | bool):
            raise serializers.ValidationError(_('Give the amount as a decimal string, e.g. "50000.00".'))
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool | float):
            raise serializers.ValidationError(_("A whole number is required."))
        return super().to_internal_value(data)


class CategorySerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Category.values)
    min_share = StrictDecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("1"),
                                   coerce_to_string=True)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - {"code", "min_share"})
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown key. The category takes code and min_share.")]
                                                   for name in unknown})
            if isinstance(data.get("code"), str):
                data = {**data, "code": data["code"].strip().upper()}
        return super().to_internal_value(data)


class AudienceSerializer(serializers.Serializer):
    """The audience JSON of DESIGN §7. Every key optional; all given keys must hold."""

    age_min = StrictIntegerField(required=False, min_value=0, max_value=150)
    age_max = StrictIntegerField(required=False, min_value=0, max_value=150)
    aum_min = _strict_decimal(required=False, min_value=Decimal("0"))
    aum_max = _strict_decimal(required=False, min_value=Decimal("0"))
    value_tiers = CodeListField(codes=lambda: set(Tier.values), required=False)
    segments = CodeListField(codes=lambda: set(Segment.values), required=False)
    branches = CodeListField(codes=lambda: set(Branch.objects.values_list("code", flat=True)), required=False)
    cities = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    gender = serializers.ChoiceField(choices=[Gender.MALE, Gender.FEMALE], required=False)
    holds_product_kinds = CodeListField(codes=lambda: set(ProductKind.values), required=False)
    lacks_product_kinds = CodeListField(codes=lambda: set(ProductKind.values), required=False)
    preferred_channels = CodeListField(codes=lambda: set(ContactChannel.values), required=False)
    category = CategorySerializer(required=False)
    inactive_days_min = StrictIntegerField(required=False, min_value=0, max_value=36500)
    self_service_ratio_max = StrictDecimalField(max_digits=5, decimal_places=4, min_value=Decimal("0"),
                                                max_value=Decimal("1"), coerce_to_string=True, required=False)

    def get_fields(self):
        fields = super().get_fields()
        for key in AUDIENCE_EXTENSIONS.values():
            fields[key.name] = key.field()
        return fields

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"detail": [_("The audience must be a JSON object.")]})
        unknown = sorted(set(data) - set(audience_keys()))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown key. The audience takes: %(keys)s.")
                                                      % {"keys": ", ".join(audience_keys())}] for name in unknown})
        if isinstance(data.get("gender"), str):
            data = {**data, "gender": data["gender"].strip().upper()}
        return super().to_internal_value(data)

    def validate(self, attrs):
        errors = {}
        if attrs.get("age_min") is not None and attrs.get("age_max") is not None \
                and attrs["age_min"] > attrs["age_max"]:
            errors["age_max"] = [_("The highest age is below the lowest.")]
        if attrs.get("aum_min") is not None and attrs.get("aum_max") is not None \
                and attrs["aum_min"] > attrs["aum_max"]:
            errors["aum_max"] = [_("The highest AUM is below the lowest.")]
        overlap = set(attrs.get("holds_product_kinds") or ()) & set(attrs.get("lacks_product_kinds") or ())
        if overlap:
            errors["lacks_product_kinds"] = [_("A kind cannot be both held and lacked: %(kinds)s.")
                                             % {"kinds": ", ".join(sorted(overlap))}]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def audience_clean(raw: object, *, scope: Branch | None) -> dict:
    """The normalised audience (decimals as strings, codes upper case, empty keys dropped).

    `scope` is the branch whose customers the campaign may reach (None: any branch). A branch code
    outside the scope is refused, not silently ignored.
    """
    serializer = AudienceSerializer(data=raw if raw is not None else {})
    valid = serializer.is_valid()
    errors = {} if valid else _prefixed(serializer.errors)
    branches = raw.get("branches") if isinstance(raw, dict) else None
    if scope is not None and isinstance(branches, list) \
            and any(str(code).strip().upper() != scope.code for code in branches):
        errors["audience.branches"] = [_("Your campaigns reach the customers of %(branch)s only.")
                                       % {"branch": scope.code}]
    if errors:
        raise CampaignInvalid(_("The audience is not valid."), errors=errors)
    cleaned = {}
    for key in audience_keys():
        value = serializer.validated_data.get(key)
        if value is None or value == [] or value == "":
            continue
        if key in AUDIENCE_EXTENSIONS:
            value = AUDIENCE_EXTENSIONS[key].normalise(value)
        elif isinstance(value, Decimal):
            value = str(value)
        elif key == "category":
            value = {"code": value["code"], "min_share": str(value["min_share"])}
        cleaned[key] = value
    return cleaned


def _prefixed(errors) -> dict:
    result = {}
    for key, messages in errors.items():
        if isinstance(messages, dict):
            for inner, inner_messages in _prefixed(messages).items():
                result[f"audience.{key}.{inner.removeprefix('audience.')}"] = inner_messages
        else:
            result[f"audience.{key}"] = [str(m) for m in messages]
    return result
