"""Demo money in other currencies: a year of daily USD and HKD rates, and USD and HKD deposits for some customers.

So the base currency shows in `make run`: the 360 page of a customer with a foreign deposit gives each account in
its own currency with its base-currency value, and the scores count it converted. Idempotent like the rest of the
demo: rates and accounts are keyed (currency + day; account number) and inserted only when missing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.utils import timezone

from accounts.models import Account, AccountStatus, FxRate, Product, ProductKind
from customers.models import Customer, CustomerStatus

from .reference import BRANCHES, KIND_DIGITS

# base-currency units for one unit, a year ago, when the base is CNY (other bases: rates against CNY's)
START = {"USD": 7.10, "HKD": 0.91}
FOREIGN_SHARE = 0.04  # of the demo customers, one in 25 keeps a foreign-currency deposit
RATE_DAYS = 366


def demo_fx_ensure(*, now: dt.datetime, seed: int) -> None:
    today = timezone.localdate(now)
    _rates_ensure(today=today, seed=seed)
    _deposits_ensure(today=today, seed=seed)


def _rates_ensure(*, today: dt.date, seed: int) -> None:
    """A random walk of daily rates for the last year (working days and weekends alike, as treasury feeds do)."""
    rng = np.random.default_rng(seed + 4217)
    base = settings.BASE_CURRENCY
    to_base = 1.0 if base == "CNY" else 1.0 / START.get(base, 1.0)  # the demo's notion of other bases
    rates = []
    for currency, start in START.items():
        if currency == base:
            continue
        walk = start * to_base * np.exp(np.cumsum(rng.normal(0, 0.0025, RATE_DAYS)))
        rates += [FxRate(currency=currency, rate_date=today - dt.timedelta(days=RATE_DAYS - 1 - i),
                         rate=Decimal(f"{value:.6f}")) for i, value in enumerate(walk)]
    FxRate.objects.bulk_create(rates, ignore_conflicts=True)


def _deposits_ensure(*, today: dt.date, seed: int) -> None:
    """A USD (four in five) or HKD time deposit for some active demo customers, at their home branch."""
    product = Product.objects.filter(kind=ProductKind.TIME_DEPOSIT, active=True).order_by("code").first()
    if product is None:
        return
    customers = list(Customer.objects.filter(status=CustomerStatus.ACTIVE, customer_no__startswith="C")
                     .order_by("customer_no").values_list("id", "customer_no", "home_branch_id", "home_branch__code"))
    rng = np.random.default_rng(seed + 978)
    chosen = rng.random(len(customers)) < FOREIGN_SHARE
    currency = np.where(rng.random(len(customers)) < 0.8, "USD", "HKD")
    amount = np.round(rng.lognormal(9.5, 1.0, len(customers)), -2)  # a few thousand to a few hundred thousand
    opened = rng.integers(30, 3 * 365, len(customers))
    branch_number = {b.code: b.number for b in BRANCHES}
    accounts = [
        Account(account_no=f"{branch_number.get(code, '00')}{KIND_DIGITS[ProductKind.TIME_DEPOSIT]}F{number[1:]}",
                customer_id=customer_id, product=product, branch_id=branch_id, currency=str(currency[i]),
                balance=Decimal(f"{amount[i]:.2f}"), balance_as_of=timezone.now(), status=AccountStatus.ACTIVE,
                opened_at=today - dt.timedelta(days=int(opened[i])))
        for i, (customer_id, number, branch_id, code) in enumerate(customers) if chosen[i]]
    Account.objects.bulk_create(accounts, ignore_conflicts=True)
