"""The search's hot paths can use an index: with sequential scans disabled, no plan falls back to one.

The test data is small, so the planner would happily scan; `enable_seqscan = off` makes it use an
index wherever one can serve the query, and a Seq Scan that remains means no index can.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import AccountFactory, CardFactory
from customers.search import customers_search
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def someone(branch):
    customer = CustomerFactory(full_name="欧阳娜娜", home_branch=branch, mobile="13812345678")
    account = AccountFactory(customer=customer, account_no="6217001234567890123")
    CardFactory(account=account, pan="6228480402564890018")
    return customer


def plans_for(query, branch_id):
    with CaptureQueriesContext(connection) as captured:
        customers_search(query=query, branch_id=branch_id)
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for entry in captured.captured_queries:
            cursor.execute("EXPLAIN " + entry["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.parametrize(
    "query",
    ["欧阳娜娜", "欧阳", "娜娜", "ouyangnana", "ouyang nana", "oynn", "ouyangnanna", "13812345678",
     "+86 138 1234 5678", "6217001234567890123", "6228480402564890018", "C000000001"],
)
def test_no_search_path_needs_a_sequential_scan_of_customers(someone, branch, query):
    plans = plans_for(query, branch.pk)
    assert plans, "the search ran no query"
    for plan in plans:
        assert "Seq Scan on customers_customer" not in plan, plan
        assert "Seq Scan on accounts_account" not in plan, plan
        assert "Seq Scan on accounts_card" not in plan, plan


def test_an_id_number_is_found_through_the_hmac_index(someone, branch):
    plans = plans_for(someone.id_number, branch.pk)
    assert any("id_number_hmac" in plan for plan in plans)
    assert all("Seq Scan on customers_customer" not in plan for plan in plans)
