"""Bad input gets a 4xx with a message in the reader's language and writes nothing (issue 11 §5, DESIGN §9).

Each case here was a 500, or was saved and broke a later page.
"""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse

from accounts.tests.factories import AccountFactory, ProductFactory
from campaigns.models import Campaign
from campaigns.tests.factories import MESSAGES
from customers.converters import CustomerNoConverter
from customers.models import CUSTOMER_NO_MAX_LENGTH, ConsentRecord, Customer, Interaction
from customers.tests.factories import CustomerFactory
from transactions.models import IngestBatch

pytestmark = pytest.mark.django_db

CAMPAIGNS_API = "/api/v1/campaigns/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def product(db):
    return ProductFactory(code="WM-NEW", name="稳享理财", name_en="Steady Wealth", kind="WEALTH")


@pytest.fixture
def customer(branch):
    return CustomerFactory(home_branch=branch, customer_no="C000000001")


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def campaign_form(**values) -> dict:
    form = {"name": "绿色理财推介", "product": "WM-NEW", "channels": ["SMS", "EMAIL"], "holdout_share": "10",
            "conversion_window_days": "30", "msg_SMS_zh_hans_body": "尊敬的{name}，{branch}为您推荐{product}。",
            "msg_EMAIL_zh_hans_subject": "{name}，新品{product}", "msg_EMAIL_zh_hans_body": "您好",
            "gender": ""}
    form.update(values)
    return form


def draft_body(**values) -> dict:
    body = {"name": "稳享理财上新", "product": "WM-NEW", "channels": ["SMS", "EMAIL"],
            "messages": {"SMS": MESSAGES["SMS"], "EMAIL": MESSAGES["EMAIL"]}}
    body.update(values)
    return body


# --- campaign send times ---------------------------------------------------------------------------------

OUT_OF_RANGE_SEND_AT = ["0001-01-01T09:00", "0001-01-01T00:00:00+08:00", "2026-02-30T09:00", "10000-01-01T09:00",
                        "9999-12-31T23:59:59+00:00", "1899-12-31T12:00"]


@pytest.mark.parametrize("send_at", OUT_OF_RANGE_SEND_AT)
def test_a_send_time_outside_the_calendar_is_a_form_error_and_nothing_is_saved(client_for, manager, product, send_at):
    response = client_for(manager).post(reverse("campaigns:create"), campaign_form(send_at=send_at))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="field-send_at"' in html
    assert "A date" in html.split('id="field-send_at"', 1)[1].split("</div>", 1)[0]
    assert not Campaign.objects.exists()
    assert client_for(manager).get(reverse("campaigns:list")).status_code == 200


@pytest.mark.parametrize("send_at", OUT_OF_RANGE_SEND_AT)
def test_a_send_time_outside_the_calendar_is_a_400_in_the_api_and_nothing_is_saved(api_client, manager, product,
                                                                                   send_at):
    api_client.force_authenticate(manager)
    response = api_client.post(CAMPAIGNS_API, draft_body(send_at=send_at), format="json")
    assert response.status_code == 400, response.content
    assert "send_at" in response.json()
    assert not Campaign.objects.exists()
    assert api_client.get(CAMPAIGNS_API).status_code == 200


def test_the_send_time_message_is_in_the_readers_language(api_client, manager, product):
    api_client.force_authenticate(manager)
    response = api_client.post(CAMPAIGNS_API, draft_body(send_at="0001-01-01T09:00"), format="json", **ZH)
    assert response.status_code == 400
    assert "日期" in response.json()["send_at"][0]


def test_a_send_time_in_range_is_still_saved(api_client, manager, product):
    api_client.force_authenticate(manager)
    response = api_client.post(CAMPAIGNS_API, draft_body(send_at="2030-01-31T09:00:00+08:00"), format="json")
    assert response.status_code == 201, response.content


def test_an_email_subject_with_a_line_break_is_refused_at_entry(api_client, client_for, manager, product):
    api_client.force_authenticate(manager)
    for subject in ("新品\r\nBcc: all@bank.example", "第一行\n第二行", "回车\r在这"):
        messages = {"SMS": MESSAGES["SMS"], "EMAIL": {"zh-hans": {"subject": subject, "body": "您好"}}}
        response = api_client.post(CAMPAIGNS_API, draft_body(messages=messages), format="json")
        assert response.status_code == 400
        assert "messages.EMAIL.zh-hans.subject" in response.json()
        response = client_for(manager).post(reverse("campaigns:create"),
                                            campaign_form(msg_EMAIL_zh_hans_subject=subject))
        assert response.status_code == 400
        assert "one line" in response.content.decode()
    assert not Campaign.objects.exists()


# --- filters ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=9999-12-31", "date_from=0001-01-01",
                                   "date_to=2026-02-30", "date_from=1899-12-31"])
def test_a_transactions_filter_outside_the_calendar_is_a_form_error(client_for, teller, customer, query):
    url = reverse("teller:transactions", kwargs={"customer_no": customer.customer_no})
    response = client_for(teller).get(f"{url}?{query}")
    assert response.status_code == 400
    assert "date" in response.content.decode().lower()


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_to=2026-02-30"])
@pytest.mark.parametrize("page", ["customers:access-list", "customers:access-csv"])
def test_an_access_record_filter_outside_the_calendar_is_a_form_error(client_for, admin_user, page, query):
    response = client_for(admin_user).get(f"{reverse(page)}?{query}")
    assert response.status_code == 400


def test_the_filters_keep_working_for_real_dates(client_for, teller, admin_user, customer):
    url = reverse("teller:transactions", kwargs={"customer_no": customer.customer_no})
    assert client_for(teller).get(f"{url}?date_from=2025-01-01&date_to=2999-12-31").status_code == 200
    assert client_for(admin_user).get(f"{reverse('customers:access-list')}?date_to=2999-12-31").status_code == 200


# --- NUL ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/access/?customer=C0%00", "/access/?staff=a%00b", "/campaigns/?status=dr%00aft",
    "/admin/customers/customer/?q=%E5%BC%A0%00", "/admin/customers/customer/?home_branch__id__exact=1%00",
    "/admin/transactions/transaction/?channel__exact=POS%00", "/transactions/batches/?status=%00",
])
def test_nul_in_a_query_string_is_a_400_with_a_message(client_for, admin_user, url):
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    response = client_for(admin_user).get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_nul_in_an_api_query_is_a_json_400_and_in_a_path_a_404(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    for url in ("/api/v1/customers/?q=%E5%BC%A0%00", "/api/v1/scores/runs/?kind=%00"):
        response = api_client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in str(response.json())
    for url in ("/api/v1/customers/C0%00/", "/api/v1/scores/branches/SH%00/"):
        response = api_client.get(url)
        assert response.status_code == 404, url
        assert "NUL" in response.json()["detail"]


def _customer_patterns(resolver=None, prefix=""):
    """Every URL pattern of the site with a customer_no part: (route, its converter)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _customer_patterns(entry, route)
        elif "customer_no" in getattr(entry.pattern, "converters", {}):
            yield route, entry.pattern.converters["customer_no"]


def test_every_url_naming_a_customer_takes_the_customer_number_converter():
    patterns = list(_customer_patterns())
    assert len(patterns) >= 10  # the 360 page and API, the writes, the access record, the offer outcomes
    assert [route for route, converter in patterns if not isinstance(converter, CustomerNoConverter)] == []


@pytest.mark.parametrize("url", ["/customers/{no}/", "/customers/{no}/transactions/", "/access/customers/{no}/",
                                 "/access/customers/{no}/history/"])
def test_a_customer_number_longer_than_any_is_a_404_page(client_for, admin_user, customer, url):
    client = client_for(admin_user)
    assert client.get(url.format(no=customer.customer_no)).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url.format(no="C" * (CUSTOMER_NO_MAX_LENGTH + 1)))
    assert response.status_code == 404
    # the address does not resolve: no view ran, no profile was looked up
    assert not [q["sql"] for q in queries.captured_queries if Customer._meta.db_table in q["sql"]]


def test_a_customer_number_longer_than_any_is_a_json_404_in_the_api(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    response = api_client.get(f"/api/v1/customers/{'C' * (CUSTOMER_NO_MAX_LENGTH + 1)}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_nul_in_a_campaign_name_or_message_writes_nothing(api_client, client_for, manager, product):
    response = client_for(manager).post(reverse("campaigns:create"), campaign_form(name="稳享\x00理财"))
    assert response.status_code == 400
    response = client_for(manager).post(reverse("campaigns:create"), campaign_form(msg_SMS_zh_hans_body="您好\x00"))
    assert response.status_code == 400
    api_client.force_authenticate(manager)
    response = api_client.post(CAMPAIGNS_API, draft_body(name="稳享\x00理财"), format="json", **ZH)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    messages = {"SMS": {"zh-hans": {"body": "您好\x00{name}"}}}
    assert api_client.post(CAMPAIGNS_API, draft_body(messages=messages), format="json").status_code == 400
    assert not Campaign.objects.exists()


def test_nul_in_a_page_form_of_the_customer_writes_nothing(client_for, teller, customer):
    url = reverse("teller:interaction-add", kwargs={"customer_no": customer.customer_no})
    response = client_for(teller).post(url, {"kind": "NOTE", "channel": "COUNTER", "text": "记\x00录"})
    assert response.status_code == 400
    assert not Interaction.objects.exists()


# --- deeply nested JSON -------------------------------------------------------------------------------------

@pytest.mark.parametrize("levels", [33, 5_000, 200_000])
@pytest.mark.parametrize("endpoint", ["contact", "interactions", "consents", "preview", "campaigns", "ingest"])
def test_deeply_nested_json_is_a_400_and_writes_nothing(api_client, manager, customer, product, endpoint, levels):
    api_client.force_authenticate(manager)
    url = {"contact": f"/api/v1/customers/{customer.customer_no}/contact/",
           "interactions": f"/api/v1/customers/{customer.customer_no}/interactions/",
           "consents": f"/api/v1/customers/{customer.customer_no}/consents/",
           "preview": f"{CAMPAIGNS_API}preview/", "campaigns": CAMPAIGNS_API,
           "ingest": "/api/v1/transactions/batches/"}[endpoint]
    body = '{"audience": ' + deep(levels) + ', "text": ' + deep(levels) + "}"
    method = api_client.patch if endpoint == "contact" else api_client.post
    response = method(url, body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "deeper" in response.json()["detail"]
    assert not Interaction.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not Campaign.objects.exists()
    assert not IngestBatch.objects.exists()


def test_nesting_as_deep_as_any_real_body_is_accepted(api_client, manager, product):
    api_client.force_authenticate(manager)
    body = {"product": "WM-NEW", "channels": ["SMS"], "audience": {"category": {"code": "TRAVEL", "min_share": "0.2"}}}
    assert api_client.post(f"{CAMPAIGNS_API}preview/", body, format="json").status_code == 200


# --- login ------------------------------------------------------------------------------------------------------

def test_a_username_longer_than_any_login_is_a_form_error_not_a_500(client):
    response = client.post("/login/", {"username": "u" * 256, "password": "whatever-it-is"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_the_admin_login_sends_even_an_oversized_username_to_the_sites_login(client):
    """/admin/login/ takes no password of its own (two-factor sign-in is the site's): nothing is checked there."""
    response = client.post("/admin/login/", {"username": "u" * 256, "password": "whatever-it-is"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not AccessAttempt.objects.exists()


def test_the_username_length_message_is_in_the_readers_language(client):
    response = client.post("/login/", {"username": "用" * 256, "password": "x"}, **ZH)
    assert "150" in response.content.decode()
    assert "确保" in response.content.decode()


# --- API ingest size --------------------------------------------------------------------------------------

def realistic_rows(count: int, account_no: str) -> list[dict]:
    return [{"external_id": f"POS-20250301-{i:08d}", "channel": "POS", "account_no": account_no,
             "occurred_at": "2025-03-01T14:30:00+08:00", "amount": "1234.50", "direction": "DEBIT",
             "currency": "CNY", "balance_after": "10000.00", "mcc": "5411", "merchant_name": "华联超市上海浦东店",
             "terminal_id": "T00012345", "description": "POS purchase at the supermarket"} for i in range(count)]


@pytest.mark.slow
def test_the_documented_10000_rows_fit_one_api_call(api_client, channel_token, branch):
    account = AccountFactory(account_no="6222020000000000001")
    body = json.dumps({"transactions": realistic_rows(10_000, account.account_no)}, ensure_ascii=False)
    assert len(body.encode()) > 3_500_000  # more than Django's 2.5 MB
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {channel_token.key}")
    response = api_client.post("/api/v1/transactions/batches/", body, content_type="application/json")
    assert response.status_code == 202, response.content[:300]
    assert IngestBatch.objects.get().rows_total == 10_000


def test_an_oversized_ingest_body_is_a_json_413_and_writes_nothing(api_client, channel_token, settings):
    settings.INGEST_API_MAX_BODY_BYTES = 100_000
    body = json.dumps({"transactions": realistic_rows(1_000, "6222020000000000001")}, ensure_ascii=False)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {channel_token.key}")
    response = api_client.post("/api/v1/transactions/batches/", body, content_type="application/json", **ZH)
    assert response.status_code == 413
    assert "请求" in response.json()["detail"]
    assert not IngestBatch.objects.exists()


def test_an_oversized_body_elsewhere_is_a_413_too(api_client, client_for, manager, customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api_client.force_authenticate(manager)
    response = api_client.post(f"/api/v1/customers/{customer.customer_no}/interactions/",
                               {"kind": "NOTE", "channel": "COUNTER", "text": "x" * 20_000}, format="json")
    assert response.status_code == 413
    assert response.json()["detail"]
    url = reverse("teller:interaction-add", kwargs={"customer_no": customer.customer_no})
    response = client_for(manager).post(url, {"kind": "NOTE", "channel": "COUNTER", "text": "x" * 20_000})
    assert response.status_code == 413
    assert not Interaction.objects.exists()
