"""Reads of a customer's holdings."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from .models import DEPOSIT_KINDS, LIABILITY_KINDS, WEALTH_KINDS, Account, AccountStatus, Card, ProductKind


@dataclass
class Holdings:
    groups: OrderedDict  # ProductKind -> list[Account], in the catalogue's order
    cards: list[Card]
    aum: dict[str, Decimal] = field(default_factory=dict)  # currency -> deposits + wealth
    loans: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount owed
    product_count: int = 0


def holdings_for_customer(*, customer_id: int) -> Holdings:
    """Open accounts grouped by product kind, with AUM and loan totals per currency; cards masked."""
    accounts = list(
        Account.objects.filter(customer_id=customer_id).exclude(status=AccountStatus.CLOSED)
        .select_related("product").order_by("product__kind", "account_no")
    )
    cards = list(Card.objects.filter(customer_id=customer_id).select_related("account").order_by("status", "id"))
    groups: OrderedDict = OrderedDict((kind, []) for kind in ProductKind.values)
    aum: dict[str, Decimal] = {}
    loans: dict[str, Decimal] = {}
    for account in accounts:
        kind = account.product.kind
        groups[kind].append(account)
        if kind in DEPOSIT_KINDS or kind in WEALTH_KINDS:
            aum[account.currency] = aum.get(account.currency, Decimal("0")) + account.balance
        elif kind in LIABILITY_KINDS:
            loans[account.currency] = loans.get(account.currency, Decimal("0")) + account.balance
    groups = OrderedDict((kind, items) for kind, items in groups.items() if items)
    return Holdings(groups=groups, cards=cards, aum=aum, loans=loans,
                    product_count=len({a.product_id for a in accounts}))
