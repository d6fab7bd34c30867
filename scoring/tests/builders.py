"""Hand-built data for the scoring tests: accounts and transactions at exact times and amounts."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from accounts.tests.factories import AccountFactory, ProductFactory
from transactions.models import Transaction

AS_OF = timezone.make_aware(dt.datetime(2026, 6, 30, 12, 0))
_external_ids = itertools.count(1)


def at(days_before: float, hour: int | None = None, *, as_of: dt.datetime = AS_OF) -> dt.datetime:
    """A moment `days_before` days before as_of (at a given local hour of that day if asked)."""
    moment = as_of - dt.timedelta(days=days_before)
    if hour is not None:
        local = timezone.localtime(moment)
        moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment


def account(customer, *, kind: str = "SAVINGS", balance: str = "1000.00", currency: str = "CNY", **fields):
    product = ProductFactory(code=f"T-{kind}", kind=kind)
    return AccountFactory(customer=customer, product=product, balance=Decimal(balance), currency=currency, **fields)


def txn(acct, *, when: dt.datetime, amount: str = "100.00", channel: str = "POS", direction: str = "DEBIT",
        mcc: str = "", currency: str = "CNY") -> Transaction:
    return Transaction.objects.create(
        channel=channel, external_id=f"T{next(_external_ids)}", account=acct, customer_id=acct.customer_id,
        occurred_at=when, amount=Decimal(amount), direction=direction, mcc=mcc, currency=currency)
