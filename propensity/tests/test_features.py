"""The features' money is in the base currency: balances at the rate of the point's day, spend at each
transaction's own day, money without a rate left out (never counted as if it were base-currency units)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from accounts.tests.factories import FxRateFactory
from customers.tests.factories import CustomerFactory
from propensity.features import Points, features_frame
from scoring.tests.builders import account
from transactions.models import Transaction

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate(NOW)


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def spent(acct, *, days: int, amount: str, currency: str, balance_after: str | None = None, n: int = 0):
    Transaction.objects.create(
        channel="POS",
        external_id=f"F{acct.pk}-{days}-{n}",
        account=acct,
        customer_id=acct.customer_id,
        occurred_at=NOW - dt.timedelta(days=days),
        amount=Decimal(amount),
        direction="DEBIT",
        currency=currency,
        balance_after=Decimal(balance_after) if balance_after else None,
    )


def features(customer, moment, *, current: bool = False) -> pd.Series:
    frame = features_frame(Points(customer_ids=np.array([customer.pk]), moments=pd.Series([moment]), current=current))
    return frame.iloc[0]


@pytest.fixture
def mostly_usd():
    customer = CustomerFactory()
    account(customer, kind="SAVINGS", balance="1000.00")
    usd = account(customer, kind="TIME_DEPOSIT", balance="50000.00", currency="USD")
    account(customer, kind="PERSONAL_LOAN", balance="2000.00", currency="HKD")
    account(customer, kind="SAVINGS", balance="300.00", currency="EUR")  # no EUR rate at all
    FxRateFactory(currency="USD", rate_date=days_ago(30), rate=Decimal("6.9"))
    FxRateFactory(currency="USD", rate_date=days_ago(10), rate=Decimal("7.0"))
    FxRateFactory(currency="USD", rate_date=days_ago(2), rate=Decimal("7.2"))
    FxRateFactory(currency="HKD", rate_date=days_ago(2), rate=Decimal("0.9"))
    return customer, usd


def test_a_customer_whose_aum_is_mostly_usd_gets_the_converted_figure_as_a_feature(mostly_usd):
    customer, _usd = mostly_usd
    now = features(customer, NOW, current=True)
    assert now["aum"] == pytest.approx(1000 + 50000 * 7.2)  # the EUR deposit has no rate: left out, not 300
    assert now["loans"] == pytest.approx(2000 * 0.9)


def test_a_past_point_converts_its_balance_at_that_days_rate_and_spend_at_each_transactions_own(mostly_usd):
    customer, usd = mostly_usd
    spent(usd, days=20, amount="100.00", currency="USD", balance_after="40000.00")  # at 6.9
    spent(usd, days=8, amount="10.00", currency="CNY", n=1)
    then = features(customer, NOW - dt.timedelta(days=5))
    # the USD balance the feed reported before the point, at the rate of the point's day (7.2 came later)
    assert then["aum"] == pytest.approx(1000 + 40000 * 7.0)
    assert then["loans"] == 0  # the HKD rate is dated after the point: nothing to convert with yet
    assert then["spend_365"] == pytest.approx(100 * 6.9 + 10)
