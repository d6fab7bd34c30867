"""The 360 in every currency: each account in its own currency with its base-currency value; totals in the base."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory, FxRateFactory, ProductFactory
from customers.tests.factories import CustomerFactory

from .pages import customer_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def saver(branch):
    customer = CustomerFactory(home_branch=branch)
    savings = ProductFactory(code="SAV", kind="SAVINGS", name_en="Savings")
    deposit = ProductFactory(code="TD", kind="TIME_DEPOSIT", name_en="Time deposit")
    AccountFactory(customer=customer, product=savings, branch=branch, currency="CNY", balance=Decimal("10000.00"))
    AccountFactory(customer=customer, product=deposit, branch=branch, currency="USD", balance=Decimal("2000.00"),
                   account_no="6200000000000000777")
    AccountFactory(customer=customer, product=deposit, branch=branch, currency="HKD", balance=Decimal("500.00"))
    rate_day = timezone.localdate() - dt.timedelta(days=2)
    FxRateFactory(currency="USD", rate_date=rate_day - dt.timedelta(days=30), rate=Decimal("6.9"))
    FxRateFactory(currency="USD", rate_date=rate_day, rate=Decimal("7.1"))
    FxRateFactory(currency="USD", rate_date=timezone.localdate() + dt.timedelta(days=1), rate=Decimal("8"))
    customer.rate_day = rate_day
    return customer


def test_the_360_page_shows_each_account_in_its_currency_with_its_value_in_the_base_currency(teller_client, saver):
    html = teller_client.get(customer_url(saver)).content.decode()
    holdings = html[html.index('id="holdings"'):html.index('id="scores"')]
    usd_row = holdings[holdings.index("6200000000000000777"):]
    usd_row = usd_row[:usd_row.index("</tr>")]
    assert "USD 2,000.00" in usd_row
    assert f"≈ CNY 14,200.00 (at 7.1, {saver.rate_day:%Y-%m-%d})" in usd_row
    assert "HKD 500.00" in holdings and "no exchange rate yet" in holdings


def test_the_360_totals_are_in_the_base_currency_with_the_rate_date_and_name_what_is_left_out(teller_client, saver):
    html = teller_client.get(customer_url(saver)).content.decode()
    totals = re.search(r'<p class="totals" id="holdings-totals">(.*?)</p>', html, re.S).group(1)
    assert '<strong id="aum-base">CNY 24,200.00</strong>' in totals  # 10,000 + 2,000 × 7.1; HKD has no rate
    assert f"(foreign currencies at the rates of {saver.rate_day:%Y-%m-%d})" in totals
    assert "Not in the totals: no exchange rate yet for HKD." in html


def test_the_360_page_writes_amounts_as_the_readers_language_does(client_for, teller, saver):
    teller_client = client_for(teller)
    teller_client.cookies["django_language"] = "zh-hans"
    html = teller_client.get(customer_url(saver), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "¥24,200.00" in html  # grouped by thousands in Chinese too, as banks print them
    assert "US$2,000.00" in html  # a foreign account in its own currency


def test_the_360_api_gives_base_currency_values_totals_and_the_rate_date(client_for, teller, saver):
    api = client_for(teller)
    body = api.get(reverse("teller-api:customer-360", kwargs={"customer_no": saver.customer_no})).json()
    holdings = body["holdings"]
    assert holdings["base_currency"] == "CNY"
    assert holdings["aum_base"] == "24200.00"
    assert holdings["aum"] == {"CNY": "10000.00", "USD": "2000.00", "HKD": "500.00"}
    assert holdings["rate_date"] == saver.rate_day.isoformat()
    assert holdings["unconverted"] == ["HKD"]
    accounts = {a["currency"]: a for group in holdings["groups"] for a in group["accounts"]}
    assert accounts["USD"]["base_balance"] == "14200.00"
    assert accounts["USD"]["fx_rate"] == {"currency": "USD", "rate": "7.1000000000",
                                          "rate_date": saver.rate_day.isoformat()}
    assert accounts["HKD"]["base_balance"] is None and accounts["HKD"]["fx_rate"] is None
    assert accounts["CNY"]["base_balance"] == "10000.00"
