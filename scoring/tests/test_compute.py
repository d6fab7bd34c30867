"""The figures of DESIGN §6 on small hand-built data; every expected value is worked out here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from scoring import services
from scoring.models import CustomerScore, RunKind

from .builders import AS_OF, account, at, txn

pytestmark = pytest.mark.django_db


def full_refresh(as_of=AS_OF) -> dict[int, CustomerScore]:
    run = services.score_run_create(kind=RunKind.FULL, as_of=as_of)
    services.score_run_process(run_id=run.pk)
    return {s.customer_id: s for s in CustomerScore.objects.all()}


def test_recency_frequency_and_monetary_count_only_customer_initiated_transactions():
    customer = CustomerFactory()
    acct = account(customer)
    txn(acct, when=at(3), amount="100.00", channel="POS")
    txn(acct, when=at(40), amount="250.50", channel="ATM")
    txn(acct, when=at(100), amount="80.00", channel="MOBILE", direction="CREDIT")  # counts, but is not a debit
    txn(acct, when=at(1), amount="5.00", channel="SYSTEM")  # a fee: not the customer's doing
    txn(acct, when=at(400), amount="999.00", channel="POS")  # outside the 365 days

    score = full_refresh()[customer.pk]

    assert score.recency_days == 3
    assert score.frequency == 3
    assert score.monetary == Decimal("350.50")
    assert score.card_spend == Decimal("100.00")  # POS debits only


def test_recency_reaches_back_beyond_the_window_and_is_empty_for_a_customer_who_never_transacted():
    old, never = CustomerFactory(), CustomerFactory()
    txn(account(old), when=at(500), channel="COUNTER")
    account(never)

    scores = full_refresh()

    assert scores[old.pk].recency_days == 500
    assert scores[old.pk].frequency == 0
    assert scores[never.pk].recency_days is None


def test_aum_loans_and_products_come_from_the_accounts_open_at_as_of():
    customer = CustomerFactory()
    account(customer, kind="SAVINGS", balance="10000.00")
    account(customer, kind="CURRENT", balance="2500.50")
    account(customer, kind="WEALTH", balance="50000.00")
    account(customer, kind="MORTGAGE", balance="300000.00")
    account(customer, kind="CREDIT_CARD", balance="1200.00")
    account(customer, kind="SAVINGS", balance="7777.00", status="CLOSED", closed_at=dt.date(2026, 1, 1))
    account(customer, kind="SAVINGS", balance="4444.00", currency="USD")  # not converted: left out of CNY figures
    account(customer, kind="TIME_DEPOSIT", balance="9999.00", opened_at=dt.date(2026, 7, 1))  # after as_of

    score = full_refresh()[customer.pk]

    assert score.aum == Decimal("62500.50")
    assert score.loan_balance == Decimal("301200.00")
    assert score.product_count == 5  # SAVINGS (CNY and USD are one product), CURRENT, WEALTH, MORTGAGE, CREDIT_CARD
    # 62,500.50 × 1.5 % (937.5075) + 301,200 × 2.5 % (7,530) + no card spend, to the cent
    assert score.annual_revenue == Decimal("8467.51")


def test_category_shares_and_lift_against_the_whole_population():
    diner, shopper = CustomerFactory(), CustomerFactory()
    d, s = account(diner), account(shopper)
    txn(d, when=at(10), amount="300.00", mcc="5812")  # DINING
    txn(d, when=at(11), amount="100.00", mcc="4511")  # TRAVEL
    txn(s, when=at(12), amount="400.00", mcc="5411")  # GROCERIES
    txn(s, when=at(13), amount="50.00", channel="ONLINE")  # no MCC: not merchant spend
    txn(s, when=at(14), amount="70.00", mcc="5411", direction="CREDIT")  # a refund is not spend

    scores = full_refresh()

    # population: dining 300, travel 100, groceries 400 of 800 → 0.375, 0.125, 0.5
    assert scores[diner.pk].category_shares == {"DINING": 0.75, "TRAVEL": 0.25}
    assert scores[diner.pk].category_lift == {"DINING": 2.0, "TRAVEL": 2.0}
    assert scores[shopper.pk].category_shares == {"GROCERIES": 1.0}
    assert scores[shopper.pk].category_lift == {"GROCERIES": 2.0}
    assert scores[diner.pk].top_categories == ["DINING", "TRAVEL"]


def test_channel_mix_self_service_ratio_preferred_channel_and_time_of_day():
    customer = CustomerFactory()
    acct = account(customer)
    for days in (1, 2, 3, 4):
        txn(acct, when=at(days, hour=20), channel="MOBILE")
    txn(acct, when=at(5, hour=10), channel="COUNTER")
    txn(acct, when=at(6, hour=21), channel="ATM")
    txn(acct, when=at(7, hour=9), channel="SYSTEM")  # not counted anywhere
    txn(acct, when=at(200, hour=9), channel="COUNTER")  # outside the 180 days of the mix

    score = full_refresh()[customer.pk]

    assert score.channel_mix == {"MOBILE": pytest.approx(0.6667), "COUNTER": pytest.approx(0.1667),
                                 "ATM": pytest.approx(0.1667)}
    assert score.self_service_ratio == Decimal("0.8333")  # 5 of 6 not at the counter
    assert score.preferred_channel == "MOBILE"
    assert score.usual_time_of_day == "EVENING"  # 5 of the 7 (365 days) at 20–21 h


def test_tiers_follow_the_configured_shares_by_value_ordering():
    # 20 customers who differ only in their savings: the value score orders them by AUM
    customers = [CustomerFactory() for _ in range(20)]
    for i, customer in enumerate(customers, start=1):
        account(customer, balance=f"{i * 1000}.00")

    scores = full_refresh()

    tiers = [scores[c.pk].tier for c in reversed(customers)]  # richest first
    # 5 % of 20 = 1 AAA, 15 % = 3 AA, 30 % = 6 A, 30 % = 6 B, 20 % = 4 C
    assert tiers == ["AAA"] + ["AA"] * 3 + ["A"] * 6 + ["B"] * 6 + ["C"] * 4
    richest = scores[customers[-1].pk]
    assert richest.top_percent == Decimal("5.00")
    assert richest.drivers[0] in {"aum", "revenue"}
    assert richest.explanation.startswith("AAA: top 5 % by ")


@pytest.mark.parametrize("status", ["CLOSED", "DECEASED", "MERGED"])
def test_only_live_customers_make_the_percentiles_and_tier_cut_offs(status):
    """A closed, deceased or merged profile is scored against the live ones and moves nobody's rank."""
    from customers.models import Customer

    customers = [CustomerFactory() for _ in range(20)]
    for i, customer in enumerate(customers, start=1):
        account(customer, balance=f"{i * 1000}.00")
    gone = CustomerFactory()
    account(gone, balance="9999999.00")
    Customer.objects.filter(pk=gone.pk).update(status=status)

    scores = full_refresh()

    tiers = [scores[c.pk].tier for c in reversed(customers)]  # richest live customer first
    assert tiers == ["AAA"] + ["AA"] * 3 + ["A"] * 6 + ["B"] * 6 + ["C"] * 4
    assert scores[customers[-1].pk].top_percent == Decimal("5.00")
    assert scores[gone.pk].tier == "AAA"  # still scored, against the live population


def test_tied_scores_are_split_between_tiers_by_customer_number_order():
    customers = [CustomerFactory() for _ in range(20)]
    for customer in customers:
        account(customer, balance="1000.00")

    scores = full_refresh()

    by_id = sorted(customers, key=lambda c: c.pk)
    assert scores[by_id[0].pk].tier == "AAA"
    assert [scores[c.pk].tier for c in by_id[1:4]] == ["AA"] * 3
    assert scores[by_id[-1].pk].tier == "C"
    assert len({scores[c.pk].value_score for c in customers}) == 1


def test_as_of_scores_historical_data_years_in_the_past():
    customer = CustomerFactory()
    acct = account(customer, opened_at=dt.date(2015, 1, 1))
    txn(acct, when=timezone.make_aware(dt.datetime(2019, 12, 20, 10)), amount="10.00")
    txn(acct, when=timezone.make_aware(dt.datetime(2019, 3, 1, 10)), amount="20.00")
    txn(acct, when=timezone.make_aware(dt.datetime(2018, 6, 1, 10)), amount="40.00")  # > 365 days before
    txn(acct, when=timezone.make_aware(dt.datetime(2020, 2, 1, 10)), amount="80.00")  # after as_of

    as_of = timezone.make_aware(dt.datetime.combine(dt.date(2019, 12, 31), dt.time.max))
    score = full_refresh(as_of=as_of)[customer.pk]

    assert score.recency_days == 11
    assert score.frequency == 2
    assert score.monetary == Decimal("30.00")


def test_a_second_refresh_changes_no_figure():
    customers = [CustomerFactory() for _ in range(6)]
    for i, customer in enumerate(customers):
        acct = account(customer, balance=f"{(i + 1) * 5000}.00")
        for day in range(i + 1):
            txn(acct, when=at(day * 7 + 1), amount=f"{(day + 1) * 10}.00", mcc="5812" if day % 2 else "5411")

    first = {pk: _figures(s) for pk, s in full_refresh().items()}
    second = {pk: _figures(s) for pk, s in full_refresh().items()}

    assert first == second


def _figures(score: CustomerScore) -> dict:
    return {f.name: getattr(score, f.name) for f in CustomerScore._meta.fields
            if f.name not in {"run", "computed_at"}}
