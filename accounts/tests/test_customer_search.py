"""The customers search finds a customer by an account or card number, exactly (moved up from
customers/tests/test_search.py: accounts and cards are this floor's)."""

import pytest

from accounts.tests.factories import AccountFactory, CardFactory
from customers.search import customers_search
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_account_number_and_card_number_are_exact_identifiers(branch):
    li_na = CustomerFactory(full_name="李娜", home_branch=branch)
    CustomerFactory(full_name="张伟", home_branch=branch, mobile="13812345678")
    account = AccountFactory(customer=li_na, account_no="6217001234567890123")
    card = CardFactory(account=account, pan="6228480402564890018")
    for query in [account.account_no, "6228 4804 0256 4890 018"]:
        result = customers_search(query=query, branch_id=branch.pk)
        assert result.exact_identifier, query
        assert [c.pk for c in result.customers] == [li_na.pk], query
    assert card.pan_last4 == "0018"
