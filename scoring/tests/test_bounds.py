"""No valid row can break a score refresh: the largest amounts the feed contract allows (DESIGN §4, §9)."""

from __future__ import annotations

import pytest

from customers.tests.factories import CustomerFactory
from scoring import services
from scoring.models import CustomerScore, RunKind, RunStatus
from transactions.services.validation import AMOUNT_MAX

from .builders import AS_OF, account, at, txn

pytestmark = pytest.mark.django_db


def test_a_refresh_with_rows_of_the_largest_valid_amount_succeeds_and_keeps_every_cent():
    customer, other = CustomerFactory(), CustomerFactory()
    acct = account(customer, balance=str(AMOUNT_MAX))
    account(customer, kind="WEALTH", balance=str(AMOUNT_MAX))
    for days in (1, 2, 3):
        txn(acct, when=at(days), amount=str(AMOUNT_MAX), channel="POS")
        txn(acct, when=at(days + 0.5), amount=str(AMOUNT_MAX), channel="ONLINE")
    txn(account(other), when=at(5), amount="10.00")

    run = services.score_run_create(kind=RunKind.FULL, as_of=AS_OF)
    services.score_run_process(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    score = CustomerScore.objects.get(customer=customer)
    assert score.monetary == AMOUNT_MAX * 6
    assert score.card_spend == AMOUNT_MAX * 3
    assert score.aum == AMOUNT_MAX * 2
    assert score.net_outflow_30d == AMOUNT_MAX * 6
    assert score.tier
