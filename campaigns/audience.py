"""The audience (DESIGN §7): its JSON checked and normalised, and turned into customers, set-wise.

Three steps, each one SQL query's worth of work, never a Python loop per customer:

1. `audience_clean(raw, scope=...)` → the normalised dict (or CampaignInvalid with per-key messages);
2. `audience_customers(audience, scope)` → the customers the filters select (before exclusions);
3. `audience_decisions_sql(...)` → SQL giving each of them a `channel` and an `exclusion` (the first
   reason that leaves the customer out, or NULL), which the preview groups and counts and the fan-out
   inserts from — one function, so the preview's counts are the launch's.

Keys that read CustomerScore (aum_min/aum_max, value_tiers, category, inactive_days_min,
self_service_ratio_max) see the scores as of their last refresh; a customer without a score is left
out by those keys and unaffected by the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import Account, AccountStatus, Product, ProductKind
from branches.models import Branch
from customers.models import ConsentRecord, ContactChannel, Customer, CustomerStatus, Gender, Segment
from scoring.models import Tier
from transactions.models import Category

from .exceptions import CampaignInvalid
from .models import CAPPED_CHANNELS, CONSENT_FOR_CHANNEL, CampaignChannel, CampaignRecipient, SkipReason

FREQUENCY_WINDOW = dt.timedelta(days=30)
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
# called by the preview with (product, SQL of the eligible customers' ids, its parameters, scope branch):
# each returns a dict added to the preview's answer (propensity: expected conversions)
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


# --- customers ----------------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def audience_customers(audience: dict, *, scope: Branch | None, today: dt.date | None = None) -> QuerySet[Customer]:
    """The customers the filters select: reachable ones only (not closed, deceased or merged away)."""
    today = today or timezone.localdate()
    qs = Customer.objects.exclude(status__in=[CustomerStatus.CLOSED, CustomerStatus.DECEASED])
    if any(f.name == "merged_into" for f in Customer._meta.get_fields()):
        qs = qs.filter(merged_into__isnull=True)
    if scope is not None:
        qs = qs.filter(home_branch=scope)
    a = audience
    if "age_min" in a:
        qs = qs.filter(date_of_birth__lte=_years_before(today, a["age_min"]))
    if "age_max" in a:
        qs = qs.filter(date_of_birth__gt=_years_before(today, a["age_max"] + 1))
    if "aum_min" in a:
        qs = qs.filter(score__aum__gte=Decimal(a["aum_min"]))
    if "aum_max" in a:
        qs = qs.filter(score__aum__lte=Decimal(a["aum_max"]))
    if "value_tiers" in a:
        qs = qs.filter(score__tier__in=a["value_tiers"])
    if "segments" in a:
        qs = qs.filter(segment__in=a["segments"])
    if "branches" in a:
        qs = qs.filter(home_branch__code__in=a["branches"])
    if "cities" in a:
        qs = qs.filter(city__in=a["cities"])
    if "gender" in a:
        qs = qs.filter(gender=a["gender"])
    open_accounts = Account.objects.filter(customer=OuterRef("pk")).exclude(status=AccountStatus.CLOSED)
    if "holds_product_kinds" in a:
        qs = qs.filter(Exists(open_accounts.filter(product__kind__in=a["holds_product_kinds"])))
    if "lacks_product_kinds" in a:
        qs = qs.exclude(Exists(open_accounts.filter(product__kind__in=a["lacks_product_kinds"])))
    if "preferred_channels" in a:
        qs = qs.filter(preferred_contact_channel__in=a["preferred_channels"])
    if "category" in a:
        share = Coalesce(Cast(KeyTextTransform(a["category"]["code"], "score__category_shares"),
                              DecimalField(max_digits=9, decimal_places=6)), Value(Decimal("0")))
        qs = qs.filter(score__isnull=False).alias(category_share=share).filter(
            category_share__gte=Decimal(a["category"]["min_share"]))
    if "inactive_days_min" in a:
        # no transaction at all (recency unknown) is as inactive as it gets
        qs = qs.filter(Q(score__recency_days__gte=a["inactive_days_min"])
                       | Q(score__isnull=False, score__recency_days__isnull=True))
    if "self_service_ratio_max" in a:
        qs = qs.filter(score__self_service_ratio__lte=Decimal(a["self_service_ratio_max"]))
    for key in AUDIENCE_EXTENSIONS.values():
        if key.name in a:
            qs = key.narrow(qs, a[key.name])
    return qs


_FACTS = """
    WITH a AS MATERIALIZED ({customers}),
    c AS (
        SELECT t.customer_id, {consent_columns}
        FROM (SELECT DISTINCT ON (cr.customer_id, cr.channel) cr.customer_id, cr.channel, cr.granted
              FROM {consents} cr JOIN a ON a.id = cr.customer_id
              WHERE cr.channel = ANY(%s)
              ORDER BY cr.customer_id, cr.channel, cr.at DESC, cr.id DESC) AS t
        GROUP BY t.customer_id),
    r AS (
        SELECT rc.customer_id, count(*) AS n
        FROM {recipients} rc JOIN a ON a.id = rc.customer_id
        WHERE rc.sent_at >= %s AND rc.channel = ANY(%s)
        GROUP BY rc.customer_id),
    h AS (
        SELECT DISTINCT ac.customer_id
        FROM {accounts} ac JOIN a ON a.id = ac.customer_id
        WHERE ac.product_id = %s AND ac.status <> %s)
    SELECT a.id, a.preferred_contact_channel, a.do_not_contact, a.preferred_language, {consent_values}
           h.customer_id IS NOT NULL AS holds_product, COALESCE(r.n, 0) AS recent_contacts
    FROM a LEFT JOIN c ON c.customer_id = a.id LEFT JOIN r ON r.customer_id = a.id
           LEFT JOIN h ON h.customer_id = a.id"""


def _facts_sql(*, audience: dict, scope: Branch | None, product: Product, channels: list[str], now: dt.datetime,
               lower: int | None, upper: int | None) -> tuple[str, list]:
    """Per customer of the audience, the facts the decisions need, set-wise: the audience's customers
    once (MATERIALIZED), joined to their newest consent per channel, their contacts in the last 30 days
    and whether they hold the product — each a grouped scan, not a subquery per customer."""
    qs = audience_customers(audience, scope=scope, today=timezone.localdate(now))
    if lower is not None:
        qs = qs.filter(pk__gt=lower)
    if upper is not None:
        qs = qs.filter(pk__lte=upper)
    customers_sql, params = (qs.order_by().values("id", "preferred_contact_channel", "do_not_contact",
                                                  "preferred_language").query.sql_with_params())
    consent_channels = [CONSENT_FOR_CHANNEL[c].value for c in channels if c in CONSENT_FOR_CHANNEL]
    # the column names come from the checked channel codes; the values are parameters
    columns = [f"bool_or(t.granted) FILTER (WHERE t.channel = %s) AS consent_{c.lower()}" for c in consent_channels]
    values = [f"COALESCE(c.consent_{c.lower()}, false) AS consent_{c.lower()}," for c in consent_channels]
    sql = _FACTS.format(customers=customers_sql, consent_columns=", ".join(columns) or "NULL AS none",
                        consents=ConsentRecord._meta.db_table, recipients=CampaignRecipient._meta.db_table,
                        accounts=Account._meta.db_table, consent_values=" ".join(values))
    return sql, [*params, *consent_channels, consent_channels, now - FREQUENCY_WINDOW,
                 [c.value for c in CAPPED_CHANNELS], product.pk, AccountStatus.CLOSED.value]


_DECISIONS = """
    WITH f AS ({flags})
    SELECT g.id, g.channel,
           CASE WHEN g.holds_product THEN %s WHEN g.do_not_contact THEN %s WHEN g.channel IS NULL THEN %s
                WHEN g.recent_contacts >= %s THEN %s END AS exclusion,
           g.preferred_language AS language
    FROM (SELECT f.*, CASE {channel_case} END AS channel FROM f) AS g"""


def audience_decisions_sql(*, audience: dict, scope: Branch | None, product: Product, channels: list[str],
                           frequency_cap: int, now: dt.datetime | None = None, lower: int | None = None,
                           upper: int | None = None) -> tuple[str, list]:
    """SQL of (id, channel, exclusion, language) per customer of the audience (ids in (lower, upper]).

    channel: the customer's preferred one if chosen and consented, else the first consented channel in
    the campaign's order (COUNTER needs no consent); NULL when none. exclusion, first reason wins:
    holds_product → do_not_contact → no_consent → frequency_cap; NULL: eligible. The facts are
    computed once per customer (_facts_sql), the decisions over them.
    """
    now = now or timezone.now()
    if not set(channels) <= set(CampaignChannel.values):  # they name columns below: codes only
        raise ValueError(f"unknown channels in {channels!r}")
    flags_sql, params = _facts_sql(audience=audience, scope=scope, product=product, channels=channels, now=now,
                                   lower=lower, upper=upper)
    whens, when_params = [], []
    for channel in channels:
        if channel in CONSENT_FOR_CHANNEL:
            whens.append(f"WHEN f.preferred_contact_channel = %s AND f.consent_{channel.lower()} THEN %s")
            when_params += [channel, channel]
    for channel in channels:
        whens.append("WHEN TRUE THEN %s" if channel == CampaignChannel.COUNTER
                     else f"WHEN f.consent_{channel.lower()} THEN %s")
        when_params.append(channel)
    sql = _DECISIONS.format(flags=flags_sql, channel_case=" ".join(whens))
    # parameters in the order of the text: the CTE's, the exclusion CASE's, then the channel CASE's
    return sql, [*params, SkipReason.HOLDS_PRODUCT.value, SkipReason.DO_NOT_CONTACT.value,
                 SkipReason.NO_CONSENT.value, frequency_cap, SkipReason.FREQUENCY_CAP.value, *when_params]


def without_jit(cursor) -> None:
    """These queries' cost estimates (a subquery per customer) trip PostgreSQL's JIT, whose compile time
    is seconds against a run of milliseconds; off for the current transaction only."""
    cursor.execute("SET LOCAL jit = off")


def audience_preview(*, audience: dict, scope: Branch | None, product: Product, channels: list[str],
                     frequency_cap: int, now: dt.datetime | None = None, sample_size: int = 20) -> dict:
    """DESIGN §7's preview: eligible, excluded by reason, split by channel, a masked sample."""
    sql, params = audience_decisions_sql(audience=audience, scope=scope, product=product, channels=channels,
                                         frequency_cap=frequency_cap, now=now)
    with transaction.atomic(), connection.cursor() as cursor:
        without_jit(cursor)
        cursor.execute(f"SELECT d.exclusion, d.channel, count(*) FROM ({sql}) AS d GROUP BY 1, 2",  # noqa: S608 - built SQL
                       params)
        groups = cursor.fetchall()
        cursor.execute(f"SELECT d.id, d.channel FROM ({sql}) AS d WHERE d.exclusion IS NULL "  # noqa: S608 - built SQL
                       "ORDER BY d.id LIMIT %s", [*params, sample_size])
        sample_rows = cursor.fetchall()
    excluded = dict.fromkeys(("no_consent", "do_not_contact", "frequency_cap", "holds_product"), 0)
    by_channel = dict.fromkeys(channels, 0)
    eligible = 0
    for exclusion, channel, n in groups:
        if exclusion is None:
            eligible += n
            by_channel[channel] += n
        else:
            excluded[exclusion] += n
    customers = Customer.objects.select_related("home_branch").in_bulk([pk for pk, _channel in sample_rows])
    sample = [
        {"customer_no": c.customer_no, "name": c.display_name, "masked_mobile": c.masked_mobile,
         "home_branch": c.home_branch.code, "channel": channel, "language": c.preferred_language}
        for pk, channel in sample_rows if (c := customers.get(pk)) is not None
    ]
    preview = {"eligible": eligible, "excluded": excluded, "by_channel": by_channel, "sample": sample}
    if PREVIEW_EXTENSIONS:
        eligible_sql = f"SELECT d.id FROM ({sql}) AS d WHERE d.exclusion IS NULL"  # noqa: S608 - table names from the models, values as parameters
        for name, extension in PREVIEW_EXTENSIONS.items():
            extra = extension(product=product, customer_ids_sql=eligible_sql, params=params,
                              scope_branch_id=scope.pk if scope is not None else None)
            if extra is not None:  # e.g. no model for the product: the answer keeps DESIGN §7's shape
                preview[name] = extra
    return preview


def audience_decisions(**kwargs) -> dict[int, tuple[str | None, str | None]]:
    """customer id -> (channel, exclusion), for small audiences (tests, the admin)."""
    sql, params = audience_decisions_sql(**kwargs)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk: (channel, exclusion) for pk, channel, exclusion, _language in cursor.fetchall()}
