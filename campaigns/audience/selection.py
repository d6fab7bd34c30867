"""Steps 2 and 3 of the audience: the customers the filters select, and each one's channel and exclusion,
set-wise in SQL; the preview counts them and the fan-out inserts from the same SQL."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

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

from accounts.models import Account, AccountStatus, Product
from branches.models import Branch
from customers.models import ConsentRecord, Customer, CustomerStatus

from ..models import CAPPED_CHANNELS, CONSENT_FOR_CHANNEL, CampaignChannel, CampaignRecipient, SkipReason
from .rules import AUDIENCE_EXTENSIONS, PREVIEW_EXTENSIONS

FREQUENCY_WINDOW = dt.timedelta(days=30)


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


_PLACEHOLDER = re.compile(r"%[%s]")


def named_params(sql: str, params, *, prefix: str) -> tuple[str, dict]:
    """Django's compiled SQL (positional `%s`) with its parameters named `prefix_0`, `prefix_1`, … so it
    can sit inside a template whose own parameters are named; `%%` stays a literal percent."""
    values = list(params)
    counter = iter(range(len(values)))
    named = _PLACEHOLDER.sub(lambda m: m.group() if m.group() == "%%" else f"%({prefix}_{next(counter)})s", sql)
    if next(counter, None) is not None:
        raise ValueError("more parameters than placeholders")
    return named, {f"{prefix}_{i}": value for i, value in enumerate(values)}


_FACTS = """
    WITH a AS MATERIALIZED ({customers}),
    c AS (
        SELECT t.customer_id, {consent_columns}
        FROM (SELECT DISTINCT ON (cr.customer_id, cr.channel) cr.customer_id, cr.channel, cr.granted
              FROM {consents} cr JOIN a ON a.id = cr.customer_id
              WHERE cr.channel = ANY(%(consent_channels)s)
              ORDER BY cr.customer_id, cr.channel, cr.at DESC, cr.id DESC) AS t
        GROUP BY t.customer_id),
    r AS (
        SELECT rc.customer_id, count(*) AS n
        FROM {recipients} rc JOIN a ON a.id = rc.customer_id
        WHERE rc.sent_at >= %(contacts_since)s AND rc.channel = ANY(%(capped_channels)s)
        GROUP BY rc.customer_id),
    h AS (
        SELECT DISTINCT ac.customer_id
        FROM {accounts} ac JOIN a ON a.id = ac.customer_id
        WHERE ac.product_id = %(product_id)s AND ac.status <> %(account_closed)s)
    SELECT a.id, a.preferred_contact_channel, a.do_not_contact, a.preferred_language, {consent_values}
           h.customer_id IS NOT NULL AS holds_product, COALESCE(r.n, 0) AS recent_contacts
    FROM a LEFT JOIN c ON c.customer_id = a.id LEFT JOIN r ON r.customer_id = a.id
           LEFT JOIN h ON h.customer_id = a.id"""


def _facts_sql(*, audience: dict, scope: Branch | None, product: Product, channels: list[str], now: dt.datetime,
               lower: int | None, upper: int | None) -> tuple[str, dict]:
    """Per customer of the audience, the facts the decisions need, set-wise: the audience's customers
    once (MATERIALIZED), joined to their newest consent per channel, their contacts in the last 30 days
    and whether they hold the product — each a grouped scan, not a subquery per customer."""
    qs = audience_customers(audience, scope=scope, today=timezone.localdate(now))
    if lower is not None:
        qs = qs.filter(pk__gt=lower)
    if upper is not None:
        qs = qs.filter(pk__lte=upper)
    customers_sql, params = named_params(*qs.order_by().values(
        "id", "preferred_contact_channel", "do_not_contact", "preferred_language").query.sql_with_params(),
        prefix="customers")
    consent_channels = [CONSENT_FOR_CHANNEL[c].value for c in channels if c in CONSENT_FOR_CHANNEL]
    # the column names come from the checked channel codes; the values are parameters
    columns = []
    for c in consent_channels:
        columns.append(f"bool_or(t.granted) FILTER (WHERE t.channel = %(consent_{c.lower()})s) AS consent_{c.lower()}")
        params[f"consent_{c.lower()}"] = c
    values = [f"COALESCE(c.consent_{c.lower()}, false) AS consent_{c.lower()}," for c in consent_channels]
    sql = _FACTS.format(customers=customers_sql, consent_columns=", ".join(columns) or "NULL AS none",
                        consents=ConsentRecord._meta.db_table, recipients=CampaignRecipient._meta.db_table,
                        accounts=Account._meta.db_table, consent_values=" ".join(values))
    return sql, {**params, "consent_channels": consent_channels, "contacts_since": now - FREQUENCY_WINDOW,
                 "capped_channels": [c.value for c in CAPPED_CHANNELS], "product_id": product.pk,
                 "account_closed": AccountStatus.CLOSED.value}


_DECISIONS = """
    WITH f AS ({flags})
    SELECT g.id, g.channel,
           CASE WHEN g.holds_product THEN %(skip_holds_product)s WHEN g.do_not_contact THEN %(skip_do_not_contact)s
                WHEN g.channel IS NULL THEN %(skip_no_consent)s
                WHEN g.recent_contacts >= %(frequency_cap)s THEN %(skip_frequency_cap)s END AS exclusion,
           g.preferred_language AS language
    FROM (SELECT f.*, CASE {channel_case} END AS channel FROM f) AS g"""


def audience_decisions_sql(*, audience: dict, scope: Branch | None, product: Product, channels: list[str],
                           frequency_cap: int, now: dt.datetime | None = None, lower: int | None = None,
                           upper: int | None = None) -> tuple[str, dict]:
    """SQL of (id, channel, exclusion, language) per customer of the audience (ids in (lower, upper]).

    channel: the customer's preferred one if chosen and consented, else the first consented channel in
    the campaign's order (COUNTER needs no consent); NULL when none. exclusion, first reason wins:
    holds_product → do_not_contact → no_consent → frequency_cap; NULL: eligible. The facts are
    computed once per customer (_facts_sql), the decisions over them.

    The parameters are named (a dict), so a caller wrapping this SQL adds its own by name; the
    customers' filters are Django's, named `customers_0`, `customers_1`, ….
    """
    now = now or timezone.now()
    if not set(channels) <= set(CampaignChannel.values):  # they name columns below: codes only
        raise ValueError(f"unknown channels in {channels!r}")
    flags_sql, params = _facts_sql(audience=audience, scope=scope, product=product, channels=channels, now=now,
                                   lower=lower, upper=upper)
    whens = []
    for channel in channels:
        # the channel codes name the parameters (checked above); each stands for itself
        params[f"channel_{channel.lower()}"] = channel
        if channel in CONSENT_FOR_CHANNEL:
            whens.append(f"WHEN f.preferred_contact_channel = %(channel_{channel.lower()})s "
                         f"AND f.consent_{channel.lower()} THEN %(channel_{channel.lower()})s")
    for channel in channels:
        whens.append(f"WHEN TRUE THEN %(channel_{channel.lower()})s" if channel == CampaignChannel.COUNTER
                     else f"WHEN f.consent_{channel.lower()} THEN %(channel_{channel.lower()})s")
    sql = _DECISIONS.format(flags=flags_sql, channel_case=" ".join(whens))
    return sql, {**params, "skip_holds_product": SkipReason.HOLDS_PRODUCT.value,
                 "skip_do_not_contact": SkipReason.DO_NOT_CONTACT.value, "skip_no_consent": SkipReason.NO_CONSENT.value,
                 "frequency_cap": frequency_cap, "skip_frequency_cap": SkipReason.FREQUENCY_CAP.value}


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
                       "ORDER BY d.id LIMIT %(sample_size)s", {**params, "sample_size": sample_size})
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
