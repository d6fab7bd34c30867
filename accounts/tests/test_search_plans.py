"""The search's hot paths can use an index: with sequential scans disabled, no plan reads a whole table.

The test data is small, so the planner would happily read whole tables (a Seq Scan, or an Index Scan
of some unrelated index that only filters). With both turned off only bitmap scans are left, and a
bitmap index scan needs an index condition: a scan that remains without one means no index can
serve the query.

Here on the accounts floor (moved up from customers/tests/): the search's account and card paths read this
floor's tables, and the test data holds an account and a card.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import AccountFactory, CardFactory
from customers.search import customers_search
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


CROWD = 5000  # enough rows that reading a whole table costs the planner more than a selective index


@pytest.fixture
def someone(branch):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO customers_customer (
                customer_no, full_name, name_pinyin, name_initials, gender, id_type, id_number, id_number_hmac,
                id_number_last4, mobile, email, address, city, occupation, employer, income_band, home_branch_id,
                segment, status, kyc_status, risk_rating, preferred_name, salutation, preferred_language,
                preferred_contact_channel, preferred_contact_time, service_notes, do_not_contact, created_at,
                updated_at)
            SELECT 'X' || i, '客户' || i, 'kehu' || i, 'kh' || i, 'U', 'RESIDENT_ID', '', md5(i::text), '',
                   '+86139' || lpad(i::text, 8, '0'), '', '', '', '', '', '', %s, 'MASS', 'ACTIVE', 'PENDING', 'LOW',
                   '', '', 'zh-hans', '', 'ANY', '', false, now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [branch.pk, CROWD],
        )
    customer = CustomerFactory(full_name="欧阳娜娜", home_branch=branch, mobile="13812345678")
    account = AccountFactory(customer=customer, account_no="6217001234567890123")
    CardFactory(account=account, pan="6228480402564890018")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    return customer


TABLES = ("customers_customer", "accounts_account", "accounts_card")


def whole_table_scans(plan: str) -> list[str]:
    """Scan nodes on the searched tables that have no Index Cond / Recheck Cond of their own."""
    lines = plan.splitlines()
    found = []
    for i, line in enumerate(lines):
        if "Scan" not in line or not any(f" on {table}" in line for table in TABLES):
            continue
        if "Bitmap Heap Scan" in line:
            continue  # its Bitmap Index Scan children carry the index conditions
        details = []
        for following in lines[i + 1:]:
            if "->" in following:
                break
            details.append(following)
        if not any("Index Cond" in d or "Recheck Cond" in d for d in details):
            found.append(line.strip())
    return found


def plans_for(query, branch_id):
    with CaptureQueriesContext(connection) as captured:
        customers_search(query=query, branch_id=branch_id)
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        for entry in captured.captured_queries:
            cursor.execute("EXPLAIN " + entry["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.parametrize(
    "query",
    ["欧阳娜娜", "欧阳", "娜娜", "阳娜娜", "欧阳娜", "ouyangnana", "ouyang nana", "oynn", "ouyangnanna", "13812345678",
     "+86 138 1234 5678", "6217001234567890123", "6228480402564890018", "C000000001"],
)
def test_no_search_path_needs_a_sequential_scan_of_customers(someone, branch, query):
    plans = plans_for(query, branch.pk)
    assert plans, "the search ran no query"
    for plan in plans:
        assert whole_table_scans(plan) == [], plan


def test_an_id_number_is_found_through_the_hmac_index(someone, branch):
    plans = plans_for(someone.id_number, branch.pk)
    assert any("id_number_hmac" in plan for plan in plans)
    assert all(whole_table_scans(plan) == [] for plan in plans)


def test_without_the_name_index_a_contained_name_would_read_the_whole_table(someone, branch):
    """The check above can fail: drop the trigram index (inside this test's transaction) and it does."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX customer_name_trgm")
    plans = plans_for("阳娜娜", branch.pk)
    assert any(whole_table_scans(plan) for plan in plans)
