"""Reads of a customer's holdings, and of exchange rates."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.exceptions import NotAllowed

from .models import DEPOSIT_KINDS, LIABILITY_KINDS, WEALTH_KINDS, Account, AccountStatus, Card, FxRate, ProductKind

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rate:
    """The rate money of `currency` converts at on a day: the latest on or before it (1 for the base currency)."""

    currency: str
    rate: Decimal
    rate_date: dt.date | None  # None for the base currency


@dataclass
class Holdings:
    groups: OrderedDict  # ProductKind -> list[Account], in the catalogue's order
    cards: list[Card]
    aum: dict[str, Decimal] = field(default_factory=dict)  # currency -> deposits + wealth
    loans: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount owed
    product_count: int = 0
    base_currency: str = ""
    # in the base currency, each account at its currency's latest rate; money without a rate is left out
    aum_base: Decimal = Decimal("0.00")
    loans_base: Decimal = Decimal("0.00")
    rates: dict[str, Rate] = field(default_factory=dict)  # the rates used, by currency
    unconverted: list[str] = field(default_factory=list)  # currencies held without a rate: left out of the totals

    @property
    def rate_date(self) -> dt.date | None:
        """The oldest rate the totals used: what the reader should know about how fresh they are."""
        dates = [rate.rate_date for rate in self.rates.values() if rate.rate_date is not None]
        return min(dates) if dates else None


def fx_rates_as_of(*, currencies: set[str] | list[str], day: dt.date | None = None) -> dict[str, Rate]:
    """The latest rate on or before `day` (today by default) of each currency; a currency without one is absent."""
    day = day or timezone.localdate()
    base = settings.BASE_CURRENCY
    wanted = sorted(set(currencies) - {base})
    rates = {base: Rate(base, Decimal(1), None)} if base in set(currencies) else {}
    if wanted:
        latest = (FxRate.objects.filter(currency__in=wanted, rate_date__lte=day)
                  .order_by("currency", "-rate_date").distinct("currency")
                  .values_list("currency", "rate", "rate_date"))
        rates.update({currency: Rate(currency, rate, rate_date) for currency, rate, rate_date in latest})
    return rates


def to_base(amount: Decimal, rate: Rate | None) -> Decimal | None:
    """An amount in the base currency, to the cent; None when its currency has no rate."""
    if rate is None:
        return None
    return (amount * rate.rate).quantize(CENT, rounding=ROUND_HALF_UP)


def holdings_for_customer(*, customer_id: int) -> Holdings:
    """Open accounts grouped by product kind, with AUM and loans per currency and in the base currency; cards masked.

    Each account carries `base_balance` (None when its currency has no rate yet) and `fx_rate`.
    """
    accounts = list(
        Account.objects.filter(customer_id=customer_id).exclude(status=AccountStatus.CLOSED)
        .select_related("product").order_by("product__kind", "account_no")
    )
    cards = list(Card.objects.filter(customer_id=customer_id).select_related("account").order_by("status", "id"))
    rates = fx_rates_as_of(currencies={a.currency for a in accounts})
    holdings = Holdings(groups=OrderedDict((kind, []) for kind in ProductKind.values), cards=cards,
                        base_currency=settings.BASE_CURRENCY)
    for account in accounts:
        kind = account.product.kind
        holdings.groups[kind].append(account)
        account.fx_rate = rates.get(account.currency)
        account.base_balance = to_base(account.balance, account.fx_rate)
        if kind in DEPOSIT_KINDS or kind in WEALTH_KINDS:
            totals, attr = holdings.aum, "aum_base"
        elif kind in LIABILITY_KINDS:
            totals, attr = holdings.loans, "loans_base"
        else:
            continue
        totals[account.currency] = totals.get(account.currency, Decimal("0")) + account.balance
        if account.base_balance is None:
            if account.currency not in holdings.unconverted:
                holdings.unconverted.append(account.currency)
        else:
            setattr(holdings, attr, getattr(holdings, attr) + account.base_balance)
            holdings.rates[account.currency] = account.fx_rate
    holdings.groups = OrderedDict((kind, items) for kind, items in holdings.groups.items() if items)
    holdings.product_count = len({a.product_id for a in accounts})
    return holdings


def fx_rates_list(*, user, currency: str | None = None, date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> QuerySet[FxRate]:
    """Exchange rates, by currency and newest first, for those who may read them (managers, admins, integrators)."""
    if not user.has_perm("accounts.view_fxrate"):
        raise NotAllowed(_("Only managers, admins and channel systems may read exchange rates."))
    rates = FxRate.objects.all()
    if currency:
        rates = rates.filter(currency=currency)
    if date_from:
        rates = rates.filter(rate_date__gte=date_from)
    if date_to:
        rates = rates.filter(rate_date__lte=date_to)
    return rates.order_by("currency", "-rate_date")
