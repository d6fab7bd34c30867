"""Each signal of DESIGN §6 fires at its edge and not one day (or one cent) past it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from scoring import services
from scoring.models import CustomerScore, RunKind

from .builders import AS_OF, account, at, txn

pytestmark = pytest.mark.django_db


def alerts_after_refresh(as_of=AS_OF) -> dict[int, dict[str, dict]]:
    run = services.score_run_create(kind=RunKind.FULL, as_of=as_of)
    services.score_run_process(run_id=run.pk)
    return {s.customer_id: {a["code"]: a for a in s.alerts} for s in CustomerScore.objects.all()}


def test_birthday_within_seven_days_fires_and_the_eighth_day_does_not():
    # as_of is 30 June 2026
    today = CustomerFactory(date_of_birth=dt.date(1990, 6, 30))
    in_seven = CustomerFactory(date_of_birth=dt.date(1990, 7, 7))
    in_eight = CustomerFactory(date_of_birth=dt.date(1990, 7, 8))

    alerts = alerts_after_refresh()

    assert alerts[today.pk]["birthday"]["days"] == 0
    assert alerts[in_seven.pk]["birthday"] == {"code": "birthday", "days": 7, "date": "2026-07-07"}
    assert "birthday" not in alerts[in_eight.pk]


def test_a_29_february_birthday_falls_on_28_february_in_a_common_year():
    leapling = CustomerFactory(date_of_birth=dt.date(2000, 2, 29))

    alerts = alerts_after_refresh(as_of=timezone.make_aware(dt.datetime(2027, 2, 25, 12)))

    assert alerts[leapling.pk]["birthday"]["date"] == "2027-02-28"


def test_id_expiring_within_thirty_days_fires_and_an_expired_id_too():
    in_30 = CustomerFactory(id_expiry=dt.date(2026, 7, 30))
    in_31 = CustomerFactory(id_expiry=dt.date(2026, 7, 31))
    expired = CustomerFactory(id_expiry=dt.date(2026, 6, 1))

    alerts = alerts_after_refresh()

    assert alerts[in_30.pk]["id_expiring"]["days"] == 30
    assert "id_expiring" not in alerts[in_31.pk]
    assert alerts[expired.pk]["id_expiring"]["days"] == -29


def test_kyc_review_due_within_thirty_days_or_by_status():
    in_30 = CustomerFactory(kyc_review_date=dt.date(2026, 7, 30))
    in_31 = CustomerFactory(kyc_review_date=dt.date(2026, 7, 31))
    flagged = CustomerFactory(kyc_status="REVIEW_DUE")

    alerts = alerts_after_refresh()

    assert alerts[in_30.pk]["kyc_due"]["days"] == 30
    assert "kyc_due" not in alerts[in_31.pk]
    assert alerts[flagged.pk]["kyc_due"] == {"code": "kyc_due", "days": None, "date": None}


def test_dormant_after_180_days_without_a_transaction():
    dormant, active = CustomerFactory(), CustomerFactory()
    txn(account(dormant), when=at(180), channel="COUNTER")
    txn(account(active), when=at(179), channel="COUNTER")

    alerts = alerts_after_refresh()

    assert alerts[dormant.pk]["dormant"] == {"code": "dormant", "days": 180}
    assert "dormant" not in alerts[active.pk]


def test_a_customer_who_never_transacted_is_dormant_once_on_the_books_for_180_days():
    customer = CustomerFactory()
    account(customer)

    later = timezone.localtime(customer.created_at) + dt.timedelta(days=180)
    alerts_early = alerts_after_refresh(as_of=later - dt.timedelta(days=1))
    alerts_late = alerts_after_refresh(as_of=later)

    assert "dormant" not in alerts_early[customer.pk]
    assert alerts_late[customer.pk]["dormant"] == {"code": "dormant", "days": None}


def test_funds_leaving_when_the_30_day_net_outflow_exceeds_30_percent_of_aum():
    at_limit, over = CustomerFactory(), CustomerFactory()
    a = account(at_limit, balance="10000.00")
    txn(a, when=at(5), amount="3500.00", channel="MOBILE")
    txn(a, when=at(6), amount="500.00", channel="MOBILE", direction="CREDIT")  # net 3,000.00 = exactly 30 %
    b = account(over, balance="10000.00")
    txn(b, when=at(5), amount="3000.01", channel="MOBILE")
    txn(b, when=at(31), amount="9000.00", channel="MOBILE")  # before the 30 days

    alerts = alerts_after_refresh()

    assert "funds_leaving" not in alerts[at_limit.pk]
    assert alerts[over.pk]["funds_leaving"] == {"code": "funds_leaving", "outflow": "3000.01", "aum": "10000.00"}


def test_activity_falling_when_the_last_90_days_are_under_half_of_the_90_before():
    halved, fell, few = CustomerFactory(), CustomerFactory(), CustomerFactory()
    for customer, before, last in ((halved, 10, 5), (fell, 10, 4), (few, 3, 0)):
        acct = account(customer)
        for i in range(before):
            txn(acct, when=at(91 + i), channel="ATM")
        for i in range(last):
            txn(acct, when=at(1 + i), channel="ATM")

    alerts = alerts_after_refresh()

    assert "activity_falling" not in alerts[halved.pk]  # 5 is half of 10: not under it
    assert alerts[fell.pk]["activity_falling"] == {"code": "activity_falling", "last": 4, "before": 10}
    assert "activity_falling" not in alerts[few.pk]  # 3 before is too few to call a trend
