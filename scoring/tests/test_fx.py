"""Money in every currency (DESIGN §4): figures in the base currency, at the rate of each amount's own day."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.imports import fx_rates_import
from accounts.tests.factories import FxRateFactory
from customers.tests.factories import CustomerFactory
from scoring import services
from scoring.models import CustomerScore, RunKind, ScoreRun

from .builders import AS_OF, account, at, txn

pytestmark = pytest.mark.django_db

TODAY = timezone.localtime(AS_OF).date()


def day(days_before: int) -> dt.date:
    return TODAY - dt.timedelta(days=days_before)


def refresh(as_of=AS_OF) -> tuple[ScoreRun, dict[int, CustomerScore]]:
    run = services.score_run_create(kind=RunKind.FULL, as_of=as_of)
    run = services.score_run_process(run_id=run.pk)
    return run, {s.customer_id: s for s in CustomerScore.objects.all()}


def test_a_customer_with_cny_and_usd_accounts_gets_their_aum_and_loans_in_cny():
    customer = CustomerFactory()
    account(customer, kind="SAVINGS", balance="10000.00")
    account(customer, kind="TIME_DEPOSIT", balance="1000.00", currency="USD")
    account(customer, kind="PERSONAL_LOAN", balance="200.00", currency="USD")
    FxRateFactory(currency="USD", rate_date=day(40), rate=Decimal("7.0"))
    FxRateFactory(currency="USD", rate_date=day(3), rate=Decimal("7.1234"))  # the latest on or before as_of
    FxRateFactory(currency="USD", rate_date=TODAY + dt.timedelta(days=1), rate=Decimal("9.0"))  # after as_of

    run, scores = refresh()

    score = scores[customer.pk]
    assert score.aum == Decimal("17123.40")  # 10,000 + 1,000 × 7.1234
    assert score.loan_balance == Decimal("1424.68")  # 200 × 7.1234
    assert run.base_currency == "CNY"
    assert run.fx_rates == {"USD": {"rate": "7.1234000000", "rate_date": day(3).isoformat()}}
    assert run.unconverted == {}


def test_a_transaction_converts_at_the_rate_of_its_own_local_day():
    customer = CustomerFactory()
    usd = account(customer, currency="USD", balance="0.00")
    FxRateFactory(currency="USD", rate_date=day(20), rate=Decimal("7.0"))
    FxRateFactory(currency="USD", rate_date=day(10), rate=Decimal("7.5"))
    txn(usd, when=at(15, hour=12), amount="100.00", currency="USD")  # at 7.0
    txn(usd, when=at(5, hour=12), amount="100.00", currency="USD")  # at 7.5
    # 00:30 in Shanghai on the day the rate changed is still the day before in UTC: the local day decides
    local_midnight = timezone.make_aware(dt.datetime.combine(day(10), dt.time(0, 30)))
    assert local_midnight.astimezone(dt.UTC).date() == day(11)
    txn(usd, when=local_midnight, amount="10.00", currency="USD")  # at 7.5

    _run, scores = refresh()

    assert scores[customer.pk].monetary == Decimal("1525.00")  # 700 + 750 + 75
    assert scores[customer.pk].card_spend == Decimal("1525.00")


def test_a_later_rate_never_applies_backwards():
    customer = CustomerFactory()
    usd = account(customer, currency="USD", balance="0.00")
    txn(usd, when=at(30), amount="100.00", currency="USD")  # before the first USD rate
    txn(usd, when=at(2), amount="50.00", currency="USD")
    FxRateFactory(currency="USD", rate_date=day(10), rate=Decimal("7.2"))

    run, scores = refresh()

    assert scores[customer.pk].monetary == Decimal("360.00")  # 50 × 7.2 only
    assert run.unconverted["currencies"] == {"USD": {"transactions": 1, "transaction_accounts": 1,
                                                     "amount": "100.00"}}


def test_money_in_a_currency_without_a_rate_is_left_out_and_reported_not_counted_as_zero():
    customer, other = CustomerFactory(), CustomerFactory()
    account(customer, kind="SAVINGS", balance="3000.00")
    hkd = account(customer, kind="SAVINGS", balance="5000.00", currency="HKD")
    account(other, kind="WEALTH", balance="700.00", currency="HKD")
    txn(hkd, when=at(3), amount="80.00", currency="HKD")
    txn(hkd, when=at(4), amount="20.00", currency="HKD", direction="CREDIT")

    run, scores = refresh()

    assert scores[customer.pk].aum == Decimal("3000.00")
    assert scores[customer.pk].monetary == Decimal("0.00")
    assert scores[other.pk].aum == Decimal("0.00")
    assert run.unconverted == {
        "currencies": {"HKD": {"accounts": 2, "balance": "5700.00", "transactions": 2, "transaction_accounts": 1,
                               "amount": "100.00"}},
        "customers": 2,
    }


def test_changing_a_rate_and_refreshing_changes_the_figures():
    customer = CustomerFactory()
    account(customer, kind="SAVINGS", balance="1000.00", currency="USD")
    header = "currency,rate_date,rate"
    fx_rates_import(file=io.BytesIO(f"{header}\nUSD,{day(1)},7.10\n".encode()))
    _run, scores = refresh()
    assert scores[customer.pk].aum == Decimal("7100.00")

    result = fx_rates_import(file=io.BytesIO(f"{header}\nusd,{day(1)},7.30\n".encode()))
    assert (result.inserted, result.updated) == (0, 1)
    _run, scores = refresh()
    assert scores[customer.pk].aum == Decimal("7300.00")


@override_settings(BASE_CURRENCY="EUR")
def test_an_incremental_run_converts_too_and_reports_only_its_customers():
    touched, untouched = CustomerFactory(), CustomerFactory()
    account(touched, kind="SAVINGS", balance="100.00", currency="CNY")
    account(untouched, kind="SAVINGS", balance="100.00", currency="JPY")
    FxRateFactory(currency="CNY", rate_date=day(1), rate=Decimal("0.13"))
    refresh()
    run = services.score_run_create(kind=RunKind.INCREMENTAL, as_of=AS_OF, customer_ids=[touched.pk])
    run = services.score_run_process(run_id=run.pk)

    assert run.customers_scored == 1
    assert CustomerScore.objects.get(customer=touched).aum == Decimal("13.00")
    assert run.unconverted == {}


def test_the_dashboard_the_admin_and_the_api_show_the_money_left_out(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch)
    account(customer, kind="SAVINGS", balance="5000.00", currency="HKD")
    run, _scores = refresh(as_of=timezone.now())
    client = client_for(admin_user)

    dashboard = client.get(reverse("scoring:branch-dashboard")).content.decode()
    warning = dashboard[dashboard.index('id="unconverted"'):]
    assert "Money without an exchange rate is not in these figures: it touches 1 customer" in warning
    assert "<strong>HKD</strong>" in warning and "1 account (HKD 5,000.00)" in warning

    admin_page = client.get(reverse("admin:scoring_scorerun_change", args=[run.pk])).content.decode()
    assert "HKD: 1 account (5000.00); 1 customer" in admin_page

    body = client.get(reverse("scoring-api:run-list")).json()
    assert body["results"][0]["unconverted"]["currencies"]["HKD"]["accounts"] == 1
    api_dashboard = client.get(reverse("scoring-api:branch-dashboard", kwargs={"code": branch.code})).json()
    assert api_dashboard["money"]["base_currency"] == "CNY"
    assert api_dashboard["money"]["unconverted"]["customers"] == 1
