"""Fixtures of the counter tests: a kiosk of the branch with its token, counters, known customers."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import AccountFactory, CardFactory, luhn_complete
from campaigns.tests.factories import score_for
from counter import services
from counter.models import CounterKind
from customers.tests.factories import CustomerFactory, resident_id

from .factories import CounterFactory


@pytest.fixture
def kiosk(branch):
    user, token = services.kiosk_create(username="kiosk_sh_1", branch=branch)
    user.token = token
    return user


@pytest.fixture
def kiosk_client(kiosk):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {kiosk.token.key}")
    return client


@pytest.fixture
def as_user():
    """as_user(user): an API client authenticated as that persona."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def counters(branch):
    return {kind: CounterFactory(branch=branch, code=code, kind=kind)
            for code, kind in (("V01", CounterKind.VIP), ("C01", CounterKind.CASH), ("A01", CounterKind.INTEGRATED))}


@pytest.fixture
def vip_customer(branch):
    """An AAA customer with a mobile, a resident ID, an account and a card."""
    customer = CustomerFactory(home_branch=branch, full_name="欧阳娜娜", mobile="+8613912345678",
                               date_of_birth=dt.date(1970, 3, 8),
                               id_number=resident_id(dt.date(1970, 3, 8), sequence=42))
    account = AccountFactory(customer=customer, account_no="310501000012345678")
    customer.pan = luhn_complete("622848000012345")
    CardFactory(account=account, customer=customer, pan=customer.pan)
    customer.account = account
    score_for(customer, tier="AAA")
    return customer


@pytest.fixture
def b_customer(branch):
    customer = CustomerFactory(home_branch=branch, full_name="张伟", mobile="+8613800001111")
    score_for(customer, tier="B")
    return customer
