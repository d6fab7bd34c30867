"""Fixtures of the teller page tests."""

import datetime as dt

import pytest

from customers.tests.factories import CustomerFactory

from .builders import CARD_PAN, customer_with_holdings
from .pages import EMAIL, MOBILE


@pytest.fixture
def teller_client(client_for, teller):
    return client_for(teller)


@pytest.fixture
def holder(branch):
    return customer_with_holdings(branch=branch, card_pan=CARD_PAN, transactions=30, mobile=MOBILE, email=EMAIL,
                                  full_name="张伟", service_notes="听力不好，请大声说话")


@pytest.fixture
def customer(branch):
    return CustomerFactory(full_name="欧阳娜娜", home_branch=branch, mobile=MOBILE, email=EMAIL,
                           date_of_birth=dt.date(1992, 5, 1))
