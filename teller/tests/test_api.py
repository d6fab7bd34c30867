"""The customer 360 over the API, the role × endpoint matrix of DESIGN §8 and the OpenAPI schema (issue 3)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.tests.factories import AccountFactory, CardFactory, ProductFactory
from customers import services as customer_services
from customers.models import AccessAction, AccessVia, ConsentRecord, CustomerAccessLog, Interaction
from customers.tests.factories import CustomerFactory
from transactions.models import Transaction

pytestmark = pytest.mark.django_db

CARD_PAN = "6228480402564890018"
# What one 360 over the API costs, whatever the customer holds: the session and its user (2), the user's
# permissions (2), the profile, the access-log row, accounts, cards, consents (current and history),
# interactions, the transaction page (count, rows, categories), the charts (4), the session save (3) and the
# customer's scores (one row: scores, alerts and the profile's tier), the open counter offers (one query:
# offers with their campaign and product, issue 6), and the next-best offers (one query: scores with their
# product and model, issue 14).
MAX_360_QUERIES = 25  # + the latest exchange rates of the currencies held


def _transaction(account, n, *, days_ago=0, channel="POS", direction="DEBIT", amount="88.50", mcc="5812"):
    return Transaction.objects.create(
        channel=channel, external_id=f"T{account.pk}-{n}", account=account, customer=account.customer,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago, minutes=n), amount=Decimal(amount),
        direction=direction, mcc=mcc, merchant_name="海底捞" if mcc else "", balance_after=Decimal("1000.00"))


@pytest.fixture
def customer(branch):
    return CustomerFactory(full_name="欧阳娜娜", home_branch=branch, date_of_birth=dt.date(1992, 5, 1),
                           mobile="+8613812345678", email="nana.ouyang@example.com", preferred_name="娜娜",
                           salutation="欧阳女士", service_notes="听力不好，请大声说话", preferred_contact_channel="SMS")


@pytest.fixture
def holdings(customer):
    """Savings in two currencies, a time deposit, a credit card (owed), a closed account; a card; transactions."""
    as_of = timezone.now().replace(microsecond=0)
    savings = AccountFactory(customer=customer, product=ProductFactory(code="SAV", kind="SAVINGS"),
                             account_no="6217000000000000001", balance=Decimal("12345.67"), balance_as_of=as_of)
    AccountFactory(customer=customer, product=ProductFactory(code="SAV", kind="SAVINGS"),
                   account_no="6217000000000000002", currency="USD", balance=Decimal("500.00"))
    AccountFactory(customer=customer, product=ProductFactory(code="TD1", name="整存整取", kind="TIME_DEPOSIT"),
                   account_no="6217000000000000003", balance=Decimal("50000.00"))
    credit = AccountFactory(customer=customer, product=ProductFactory(code="CC1", name="信用卡", kind="CREDIT_CARD"),
                            account_no="6217000000000000004", balance=Decimal("2300.10"))
    AccountFactory(customer=customer, product=ProductFactory(code="SAV", kind="SAVINGS"),
                   account_no="6217000000000000005", status="CLOSED", closed_at=dt.date(2021, 1, 1))
    CardFactory(account=credit, pan=CARD_PAN, kind="CREDIT")
    for n in range(25):
        _transaction(savings, n, days_ago=n)
    _transaction(savings, 99, channel="COUNTER", direction="CREDIT", amount="8000.00", mcc="")
    return {"savings": savings, "credit": credit, "as_of": as_of}


@pytest.fixture
def as_teller(api_client, teller):
    api_client.force_login(teller)
    return api_client


def _url(customer):
    return f"/api/v1/customers/{customer.customer_no}/"


# --- the 360 as JSON ------------------------------------------------------------------------


def test_the_360_shows_the_profile_and_service_preferences_masked(as_teller, customer, branch):
    body = as_teller.get(_url(customer)).json()
    profile = body["customer"]
    assert profile["customer_no"] == customer.customer_no
    assert profile["full_name"] == "欧阳娜娜"
    assert profile["masked_id_number"] == "****" + customer.id_number[-4:]
    assert profile["masked_mobile"] == "138****5678"
    assert profile["masked_email"] == "n***@example.com"
    assert profile["home_branch"] == {"code": branch.code, "name": branch.name}
    assert profile["age"] == customer.age()
    assert profile["tier"] is None
    assert body["service_preferences"] == {
        "preferred_name": "娜娜", "salutation": "欧阳女士", "preferred_language": "zh-hans",
        "preferred_contact_channel": "SMS", "preferred_contact_time": "ANY", "service_notes": "听力不好，请大声说话",
    }
    assert (body["scores"], body["alerts"], body["offers"]) == (None, [], [])


def test_the_360_never_contains_the_full_id_number_mobile_email_or_card_number(as_teller, customer, holdings):
    text = as_teller.get(_url(customer)).content.decode()
    assert customer.customer_no in text
    for secret in (customer.id_number, customer.mobile, "13812345678", customer.email, CARD_PAN):
        assert secret not in text


def test_the_360_groups_open_accounts_by_kind_with_balances_as_decimal_strings(as_teller, customer, holdings):
    body = as_teller.get(_url(customer)).json()["holdings"]
    assert [(g["kind"], [a["account_no"] for a in g["accounts"]]) for g in body["groups"]] == [
        ("SAVINGS", ["6217000000000000001", "6217000000000000002"]),
        ("TIME_DEPOSIT", ["6217000000000000003"]),
        ("CREDIT_CARD", ["6217000000000000004"]),
    ]
    savings = body["groups"][0]["accounts"][0]
    assert savings["balance"] == "12345.67"
    assert savings["product"]["code"] == "SAV"
    assert dt.datetime.fromisoformat(savings["balance_as_of"]) == holdings["as_of"]
    assert body["aum"] == {"CNY": "62345.67", "USD": "500.00"}
    assert body["loans"] == {"CNY": "2300.10"}
    assert body["cards"] == [{"masked_pan": "622848******0018", "kind": "CREDIT", "status": "ACTIVE",
                              "expiry": "2030-12-31", "account_no": "6217000000000000004"}]


def test_the_360_shows_the_first_page_of_transactions_newest_first_with_their_category(as_teller, customer,
                                                                                       holdings):
    page = as_teller.get(_url(customer)).json()["transactions"]
    assert (page["page"], page["page_size"], page["count"], page["num_pages"]) == (1, 20, 26, 2)
    assert len(page["results"]) == 20
    times = [row["occurred_at"] for row in page["results"]]
    assert times == sorted(times, reverse=True)
    by_id = {row["id"]: row for row in page["results"]}
    counter = Transaction.objects.get(external_id=f"T{holdings['savings'].pk}-99")
    assert (by_id[counter.pk]["category"], by_id[counter.pk]["amount"]) == ("", "8000.00")
    pos = next(row for row in page["results"] if row["channel"] == "POS")
    assert (pos["category"], pos["mcc"], pos["amount"], pos["account_no"]) == (
        "DINING", "5812", "88.50", "6217000000000000001")


def test_the_360_has_the_chart_data_of_the_page(as_teller, customer, holdings):
    charts = as_teller.get(_url(customer)).json()["charts"]
    assert charts["channel_mix"] == {"POS": 25, "COUNTER": 1}
    assert charts["categories"] == {"DINING": "2212.50"}
    assert len(charts["monthly"]) == 12
    assert sum(Decimal(month["in"]) for month in charts["monthly"]) == Decimal("8000.00")
    assert sum(Decimal(month["out"]) for month in charts["monthly"]) == Decimal("2212.50")


def test_the_360_shows_the_current_consent_per_channel(as_teller, customer, teller):
    customer_services.consent_record(customer=customer, channel="SMS", granted=True, source="counter",
                                     recorded_by=teller)
    customer_services.consent_record(customer=customer, channel="SMS", granted=False, source="api",
                                     recorded_by=teller)
    body = as_teller.get(_url(customer)).json()
    consents = {row["channel"]: row for row in body["consents"]}
    assert list(consents) == ["SMS", "EMAIL", "APP", "PHONE", "POST"]
    assert (consents["SMS"]["granted"], consents["SMS"]["source"]) == (False, "api")
    assert consents["EMAIL"] == {"channel": "EMAIL", "label": "Email", "granted": None, "source": None, "at": None}
    assert [row["granted"] for row in body["consent_history"]] == [False, True]


def test_the_360_shows_the_latest_fifty_interactions_newest_first(as_teller, customer, teller):
    now = timezone.now()
    Interaction.objects.bulk_create(
        Interaction(customer=customer, staff=teller, text=f"note {n}", at=now - dt.timedelta(hours=n))
        for n in range(55))
    interactions = as_teller.get(_url(customer)).json()["interactions"]
    assert len(interactions) == 50
    assert [row["text"] for row in interactions[:2]] == ["note 0", "note 1"]
    assert interactions[0]["staff"] == "Teller"


def test_opening_the_360_writes_an_access_log_row_via_api_with_the_client_address(as_teller, customer, teller):
    as_teller.get(_url(customer), REMOTE_ADDR="10.1.2.3")
    log = CustomerAccessLog.objects.get(customer=customer)
    assert (log.user, log.via, log.action, log.ip_address) == (teller, AccessVia.API, AccessAction.VIEW, "10.1.2.3")


@pytest.mark.parametrize(("customer_no", "status"), [("C404404404", 404), ("C" * 40, 404),
                                                     ("C%00", 404)])  # NUL in a URL part: no such customer
def test_an_unknown_or_impossible_customer_number_is_a_4xx_and_logs_nothing(as_teller, customer_no, status):
    response = as_teller.get(f"/api/v1/customers/{customer_no}/")
    assert response.status_code == status
    assert not CustomerAccessLog.objects.exists()


def test_staff_can_use_a_token_as_well_as_a_session(api_client, teller, customer):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=teller).key}")
    assert api_client.get(_url(customer)).status_code == 200


def test_the_360_takes_a_fixed_number_of_queries_whatever_the_number_of_transactions(as_teller, customer,
                                                                                      holdings):
    as_teller.get(_url(customer))  # the first request of a session refreshes it; the next ones don't
    with CaptureQueriesContext(connection) as few:
        assert as_teller.get(_url(customer)).status_code == 200
    for n in range(100, 160):
        _transaction(holdings["credit"], n, days_ago=n % 300, mcc="5411" if n % 2 else "5812")
    AccountFactory(customer=customer, product=ProductFactory(code="WM1", kind="WEALTH"))
    with CaptureQueriesContext(connection) as many:
        assert as_teller.get(_url(customer)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries) <= MAX_360_QUERIES


def test_the_360_stays_under_the_query_bound(as_teller, customer, holdings, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_360_QUERIES):
        as_teller.get(_url(customer))


# --- who may do what (DESIGN §8) --------------------------------------------------------------

STAFF_ANSWERS = {"search": 200, "detail": 200, "interaction": 201, "consent": 201, "contact": 200, "reveal": 200}
REFUSED = dict.fromkeys(STAFF_ANSWERS, 403)
# TokenAuthentication comes first in REST_FRAMEWORK, so an anonymous request gets 401 with the
# challenge "WWW-Authenticate: Token" (a channel system learns it must authenticate).
UNAUTHENTICATED = dict.fromkeys(STAFF_ANSWERS, 401)
EXPECTED = {
    "teller": STAFF_ANSWERS,
    "manager": STAFF_ANSWERS,
    "other_branch_manager": STAFF_ANSWERS,
    "admin_user": STAFF_ANSWERS,
    "channel_system": REFUSED,
    "anonymous": UNAUTHENTICATED,
}


def _call(client, endpoint, customer_no):
    base = f"/api/v1/customers/{customer_no}/"
    calls = {
        "search": ("GET", "/api/v1/customers/?q=欧阳娜娜", None),
        "detail": ("GET", base, None),
        "interaction": ("POST", base + "interactions/", {"kind": "note", "channel": "COUNTER", "text": "hello"}),
        "consent": ("POST", base + "consents/", {"channel": "EMAIL", "granted": True}),
        "contact": ("PATCH", base + "contact/", {"city": "杭州市"}),
        "reveal": ("POST", base + "reveal-id/", {"reason": "customer asked for a statement"}),
    }
    method, url, body = calls[endpoint]
    if body is None:
        return client.generic(method, url)
    return client.generic(method, url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("endpoint", list(STAFF_ANSWERS))
def test_role_endpoint_matrix(request, api_client, customer, persona, endpoint):
    if persona == "channel_system":
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {request.getfixturevalue('channel_token').key}")
    elif persona != "anonymous":
        api_client.force_login(request.getfixturevalue(persona))
    response = _call(api_client, endpoint, customer.customer_no)
    assert response.status_code == EXPECTED[persona][endpoint], response.content
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"
    if response.status_code in (401, 403):
        assert "detail" in response.json()
        assert not CustomerAccessLog.objects.exists()
        assert not Interaction.objects.exists()
        assert not ConsentRecord.objects.exists()


def test_the_channel_system_is_refused_even_for_an_unknown_customer(api_client, channel_token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {channel_token.key}")
    assert api_client.get("/api/v1/customers/C404404404/").status_code == 403


# --- the OpenAPI schema -----------------------------------------------------------------------


def test_the_openapi_schema_needs_a_login(api_client):
    assert api_client.get("/api/schema/", {"format": "json"}).status_code == 401


def test_the_openapi_schema_documents_every_customer_endpoint(api_client, teller):
    api_client.force_authenticate(teller)
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    expected = {
        "/api/v1/customers/": "get",
        "/api/v1/customers/{customer_no}/": "get",
        "/api/v1/customers/{customer_no}/interactions/": "post",
        "/api/v1/customers/{customer_no}/consents/": "post",
        "/api/v1/customers/{customer_no}/contact/": "patch",
        "/api/v1/customers/{customer_no}/reveal-id/": "post",
    }
    for path, method in expected.items():
        assert method in paths[path], path
    detail = paths["/api/v1/customers/{customer_no}/"]["get"]["responses"]["200"]
    assert detail["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Customer360"
