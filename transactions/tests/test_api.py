"""POST /api/v1/transactions/batches/ and GET …/{id}/: 202 + Location, 400 for a bad shape, the role matrix."""

import json

import pytest
from django.test import override_settings

from transactions.models import BatchSource, BatchStatus, IngestBatch, Transaction
from transactions.services import batch_process

from .feeds import ACCOUNT_NO, batch_from, feed_text, reasons_of, row

pytestmark = pytest.mark.django_db

URL = "/api/v1/transactions/batches/"


def _post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


@pytest.fixture
def as_channel(api_client, channel_token):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {channel_token.key}")
    return api_client


@pytest.fixture
def as_manager(api_client, manager):
    api_client.force_authenticate(manager)
    return api_client


def test_posting_transactions_answers_202_with_the_batch_and_where_to_poll(as_channel, channel_system, account,
                                                                            no_broker):
    response = _post(as_channel, {"transactions": [row(external_id="A"), row(external_id="B", amount="x")]})
    assert response.status_code == 202
    body = response.json()
    batch = IngestBatch.objects.get(pk=body["id"])
    assert response["Location"] == f"http://testserver{URL}{batch.pk}/" == body["url"]
    assert (body["status"], body["rows_total"], body["received"]) == ("queued", 2, 0)
    assert (batch.source, batch.created_by, batch.rows_total) == (BatchSource.API, channel_system, 2)
    assert batch.file.name.endswith(".csv")  # the rows were written as a feed file in storage

    batch_process(batch_id=batch.pk)  # what the worker does
    progress = as_channel.get(response["Location"]).json()
    assert (progress["status"], progress["received"], progress["inserted"], progress["rejected"]) == ("done", 2, 1, 1)
    assert progress["progress_percent"] == 100
    assert reasons_of(batch) == {2: ["bad_amount"]}


def test_json_numbers_are_taken_as_written(as_manager, account):
    rows = [{**row(external_id="N1"), "amount": "@12.5@"}, {**row(external_id="N2"), "amount": "@12.345@"},
            {**row(external_id="N3"), "amount": "@1e5@", "balance_after": None}, {**row(external_id="N4"), "amount": 7}]
    body = json.dumps({"transactions": rows}).replace('"@', "").replace('@"', "")  # bare JSON numbers
    assert '"amount": 12.345,' in body
    response = as_manager.post(URL, body, content_type="application/json")
    assert response.status_code == 202
    batch = IngestBatch.objects.get(pk=response.json()["id"])
    batch_process(batch_id=batch.pk)
    assert reasons_of(batch) == {2: ["amount_too_precise"], 3: ["bad_amount"]}
    assert {str(t.amount) for t in Transaction.objects.all()} == {"12.50", "7.00"}


def test_the_channel_of_the_body_fills_rows_without_one(as_channel, account):
    without_channel = {name: value for name, value in row().items() if name != "channel"}
    response = _post(as_channel, {"channel": "atm", "transactions": [without_channel]})
    batch = IngestBatch.objects.get(pk=response.json()["id"])
    assert batch.channel_hint == "ATM"
    batch_process(batch_id=batch.pk)
    assert Transaction.objects.get().channel == "ATM"


def test_ten_thousand_rows_are_accepted_in_one_call(as_channel, account):
    rows = [{"external_id": f"E{n}", "channel": "POS", "account_no": ACCOUNT_NO, "occurred_at": "2025-03-01T10:00:00",
             "amount": "1.00", "direction": "DEBIT", "merchant_name": "华联超市 上海浦东店 (自助收银)"}
            for n in range(10_000)]
    response = _post(as_channel, {"transactions": rows})
    assert response.status_code == 202, response.content[:300]
    assert IngestBatch.objects.get(pk=response.json()["id"]).rows_total == 10_000


@pytest.mark.parametrize(("body", "field", "says"), [
    ([row()], "detail", "must be a JSON object"),
    ("transactions", "detail", "must be a JSON object"),
    ({}, "transactions", "A list of transaction objects is required"),
    ({"transactions": {"external_id": "A"}}, "transactions", "A list of transaction objects is required"),
    ({"transactions": []}, "transactions", "The list is empty"),
    ({"transactions": [row(), "not a row"]}, "transactions", "transactions[1] is not an object"),
    ({"transactions": [row(), 42]}, "transactions", "transactions[1] is not an object"),
    ({"transactions": [{**row(), "colour": "red"}]}, "transactions", "transactions[0] has unknown fields: colour"),
    ({"transactions": [{**row(), "amount": True}]}, "transactions", "transactions[0].amount must be a string"),
    ({"transactions": [{**row(), "amount": {"value": 1}}]}, "transactions", "transactions[0].amount must be a"),
    ({"transactions": [{**row(), "mcc": [5411]}]}, "transactions", "transactions[0].mcc must be a string"),
    ({"transactions": [row()], "channel": "TELEX"}, "channel", "One of POS, ATM"),
    ({"transactions": [row()], "priority": "high"}, "priority", "Unknown key"),
])
def test_a_body_of_the_wrong_shape_is_a_400_that_says_why_and_records_nothing(as_channel, body, field, says):
    response = _post(as_channel, body)
    assert response.status_code == 400
    assert says in " ".join(response.json()[field])
    assert not IngestBatch.objects.exists()


@override_settings(INGEST_API_MAX_ROWS=10_000)
def test_more_than_ten_thousand_rows_is_a_400(as_channel):
    response = _post(as_channel, {"transactions": [{"external_id": str(n)} for n in range(10_001)]})
    assert response.status_code == 400
    assert "At most 10000 transactions per call; this one has 10001" in response.json()["transactions"][0]
    assert not IngestBatch.objects.exists()


@pytest.mark.parametrize(("content", "content_type"), [
    ("{not json", "application/json"),
    ('{"transactions": [NaN]}', "application/json"),
    ('{"transactions": ["\\ud800"]}', "application/json"),
    ("external_id,channel\nA,POS\n", "text/csv"),
])
def test_a_body_that_is_not_json_is_a_400_or_415(as_channel, content, content_type):
    response = as_channel.post(URL, content, content_type=content_type)
    assert response.status_code in (400, 415)
    assert response.json()["detail"]
    assert not IngestBatch.objects.exists()


def test_an_unknown_batch_is_a_404(as_manager):
    response = as_manager.get(f"{URL}999999/")
    assert response.status_code == 404
    assert "no batch #999999" in response.json()["detail"]


# --- who may do what (DESIGN §8) ------------------------------------------------------------------

@pytest.fixture
def persona_client(request, api_client, channel_token):
    def client(persona):
        if persona == "channel_system":
            api_client.credentials(HTTP_AUTHORIZATION=f"Token {channel_token.key}")
        elif persona != "anonymous":
            api_client.force_authenticate(request.getfixturevalue(persona))
        return api_client
    return client


@pytest.mark.parametrize(("persona", "post", "list_", "others_batch", "customers"), [
    ("teller", 403, 403, 403, 200),
    ("manager", 202, 200, 200, 200),
    ("admin_user", 202, 200, 200, 200),
    ("channel_system", 202, 200, 404, 403),
])
def test_the_role_matrix_of_the_transactions_api(persona_client, persona, post, list_, others_batch, customers,
                                                  account, admin_user):
    others = batch_from(feed_text([row()]), created_by=admin_user)
    client = persona_client(persona)
    assert _post(client, {"transactions": [row(external_id="R")]}).status_code == post
    listed = client.get(URL)
    assert listed.status_code == list_
    assert client.get(f"{URL}{others.pk}/").status_code == others_batch
    assert client.get("/api/v1/customers/", {"q": "张"}).status_code == customers
    if persona == "channel_system":
        assert [batch["id"] for batch in listed.json()["results"]] == list(
            IngestBatch.objects.filter(created_by__username="pos_switch").values_list("pk", flat=True))


def test_a_channel_system_reads_its_own_batches(as_channel, account):
    created = _post(as_channel, {"transactions": [row()]}).json()
    response = as_channel.get(created["url"])
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]


def test_without_credentials_nothing_is_accepted(api_client):
    assert _post(api_client, {"transactions": [row()]}).status_code in (401, 403)
    assert api_client.get(URL).status_code in (401, 403)
    assert not IngestBatch.objects.exists()


def test_the_batches_are_in_the_openapi_schema(as_manager):
    paths = json.loads(as_manager.get("/api/schema/", {"format": "json"}).content)["paths"]
    assert "post" in paths[URL] and "get" in paths[URL]
    assert "get" in paths[URL + "{batch_id}/"]
    assert "202" in paths[URL]["post"]["responses"]


def test_a_processed_api_batch_reports_done(as_manager, account):
    created = _post(as_manager, {"transactions": [row()]}).json()
    batch_process(batch_id=created["id"])
    assert as_manager.get(created["url"]).json()["status"] == BatchStatus.DONE


def test_an_unknown_currency_over_the_api_is_rejected_with_its_reason_and_the_good_rows_load(as_channel, account):
    rows = [row(external_id="A", currency="usd"), row(external_id="B", currency="RMB"), row(external_id="C")]
    created = _post(as_channel, {"transactions": rows}).json()
    batch = IngestBatch.objects.get(pk=created["id"])
    batch_process(batch_id=batch.pk)
    assert reasons_of(batch) == {2: ["bad_currency"]}
    rejected = batch.rejected_rows.get()
    assert rejected.raw["currency"] == "RMB"
    assert rejected.reasons[0]["message"] == "currency 'RMB' is not an ISO 4217 currency code"
    assert dict(Transaction.objects.values_list("external_id", "currency")) == {"A": "USD", "C": "CNY"}
