"""The customer's admin page shows what the floors above hold about them, masked and read-only."""

import pytest

from customers.tests.factories import CustomerFactory
from scoring.tests.factories import CustomerScoreFactory
from teller.tests.builders import CARD_PAN, customer_with_holdings

pytestmark = pytest.mark.django_db


def test_the_customer_page_lists_accounts_and_cards_with_the_card_number_masked(client_for, admin_user, branch):
    holder = customer_with_holdings(branch=branch, accounts=2, cards=1, transactions=0, card_pan=CARD_PAN)
    response = client_for(admin_user).get(f"/admin/customers/customer/{holder.customer.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    for account in holder.accounts:
        assert account.account_no in html
    assert "622848******0018" in html
    assert CARD_PAN not in html
    assert 'name="accounts-0-account_no"' not in html  # shown, not editable


def test_the_customer_list_filters_by_value_tier(client_for, admin_user, branch):
    top = CustomerFactory(home_branch=branch, full_name="李娜")
    CustomerScoreFactory(customer=top, tier="AAA")
    CustomerScoreFactory(customer=CustomerFactory(home_branch=branch, full_name="王芳"), tier="B")
    CustomerFactory(home_branch=branch, full_name="刘洋")  # not scored yet
    response = client_for(admin_user).get("/admin/customers/customer/", {"tier": "AAA"})
    assert list(response.context["cl"].result_list) == [top]
