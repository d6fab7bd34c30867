"""The customers floor of the API: the teller's writes on one profile (issue 3). The search is the teller
floor's: teller/tests/test_api_search.py."""

import datetime as dt
import json

import pytest
from rest_framework.test import APIRequestFactory

from crm_site.exceptions import NotAllowed, api_exception_handler
from customers.api.serializers import ContactUpdateSerializer
from customers.exceptions import CustomerInvalid
from customers.models import AccessAction, AccessVia, ConsentRecord, Customer, CustomerAccessLog, Interaction
from customers.services import CONTACT_FIELDS
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db



@pytest.fixture
def as_teller(api_client, teller):
    api_client.force_login(teller)
    return api_client


@pytest.fixture
def customer(branch):
    return CustomerFactory(full_name="欧阳娜娜", home_branch=branch, date_of_birth=dt.date(1992, 5, 1),
                           mobile="+8613812345678", email="nana.ouyang@example.com")


def _url(customer, action):
    return f"/api/v1/customers/{customer.customer_no}/{action}/"


def _post_json(client, url, body):
    return client.generic("POST", url, json.dumps(body), content_type="application/json")


def test_error_messages_follow_the_callers_language(as_teller, customer):
    reveal = as_teller.generic("POST", _url(customer, "reveal-id"), "{}", content_type="application/json",
                               HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert reveal.json()["reason"] == ["请说明查看完整证件号的原因。"]


# --- interactions ---------------------------------------------------------------------------


def test_adding_an_interaction_returns_201_and_keeps_it_on_the_timeline(as_teller, customer, teller):
    response = _post_json(as_teller, _url(customer, "interactions"),
                          {"kind": "complaint", "channel": "PHONE", "text": "  Card swallowed by the ATM  "})
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["channel"], body["text"], body["staff"]) == (
        "complaint", "PHONE", "Card swallowed by the ATM", "Teller")
    interaction = Interaction.objects.get(pk=body["id"])
    assert (interaction.customer, interaction.staff) == (customer, teller)


def test_an_interaction_without_kind_and_channel_is_a_note_at_the_counter(as_teller, customer):
    body = _post_json(as_teller, _url(customer, "interactions"), {"text": "喜欢VIP窗口"}).json()
    assert (body["kind"], body["channel"]) == ("note", "COUNTER")


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "gossip", "channel": "COUNTER", "text": "x"}, "kind"),
    ({"kind": "note", "channel": "FAX", "text": "x"}, "channel"),
    ({"kind": "note", "channel": "COUNTER", "text": "   "}, "text"),
    ({"kind": "note", "channel": "COUNTER"}, "text"),
    ({"kind": "note", "channel": "COUNTER", "text": "x" * 4001}, "text"),
    ({"kind": "note", "channel": "COUNTER", "text": {"nested": "object"}}, "text"),
    ({"kind": ["note"], "channel": "COUNTER", "text": "x"}, "kind"),
])
def test_a_bad_interaction_is_a_400_under_the_field_and_nothing_is_saved(as_teller, customer, body, field):
    response = _post_json(as_teller, _url(customer, "interactions"), body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Interaction.objects.filter(customer=customer).exists()


def test_malformed_json_is_a_400_with_a_message(as_teller, customer):
    response = as_teller.generic("POST", _url(customer, "interactions"), '{"text": "unfinished',
                                 content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_an_unpaired_surrogate_in_the_json_is_a_400_not_a_crash_when_echoed(as_teller, customer):
    # an unknown choice is echoed in the error message; a lone surrogate cannot be rendered as UTF-8
    response = as_teller.generic("POST", _url(customer, "interactions"), '{"kind": "\\ud800", "text": "x"}',
                                 content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]


def test_a_body_that_is_not_an_object_is_a_400(as_teller, customer):
    response = _post_json(as_teller, _url(customer, "interactions"), ["note"])
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_a_form_encoded_write_is_refused_as_an_unsupported_media_type(as_teller, customer):
    response = as_teller.post(_url(customer, "interactions"), {"text": "hello"}, format="multipart")
    assert response.status_code == 415
    assert not Interaction.objects.filter(customer=customer).exists()


@pytest.mark.parametrize("action", ["interactions", "consents", "reveal-id"])
@pytest.mark.parametrize(("customer_no", "status"), [("C404404404", 404), ("C" * 40, 404),
                                                     ("C%00", 404)])  # NUL in a URL part: no such customer
def test_a_write_for_an_unknown_or_impossible_customer_number_is_a_4xx(as_teller, action, customer_no, status):
    response = _post_json(as_teller, f"/api/v1/customers/{customer_no}/{action}/",
                          {"text": "x", "channel": "SMS", "granted": True, "reason": "customer asked"})
    assert response.status_code == status
    assert "detail" in response.json()
    assert not Interaction.objects.exists()


NASTY_VALUES = [None, True, 0, -1, 10**40, 1.5, "", " ", "\x00", "💥", "x" * 5000, [], {}, [1, 2], {"a": 1}]
WRITES = {
    "interactions": ("POST", {"kind": "note", "channel": "COUNTER", "text": "x"}),
    "consents": ("POST", {"channel": "SMS", "granted": True}),
    "contact": ("PATCH", {"city": "上海市"}),
    "reveal-id": ("POST", {"reason": "customer asked"}),
}
WRITE_FIELDS = [(action, field) for action in WRITES for field in WRITES[action][1]]
WRITE_FIELDS += [("contact", field) for field in ("mobile", "email", "preferred_language",
                                                  "preferred_contact_channel", "preferred_contact_time")]


@pytest.mark.parametrize(("action", "field"), WRITE_FIELDS)
def test_no_value_of_any_type_in_any_write_field_gives_a_server_error(as_teller, customer, action, field):
    method, valid = WRITES[action]
    for value in NASTY_VALUES:
        response = as_teller.generic(method, _url(customer, action), json.dumps({**valid, field: value}),
                                     content_type="application/json")
        assert response.status_code < 500, (field, value)
        if response.status_code >= 400:
            assert response.json(), (field, value)


# --- consents -------------------------------------------------------------------------------


def test_recording_consent_returns_201_with_source_api(as_teller, customer, teller):
    response = _post_json(as_teller, _url(customer, "consents"), {"channel": "SMS", "granted": False})
    assert response.status_code == 201
    assert response.json()["channel"] == "SMS"
    assert response.json()["granted"] is False
    assert response.json()["source"] == "api"
    record = ConsentRecord.objects.get(customer=customer)
    assert (record.channel, record.granted, record.source, record.recorded_by) == ("SMS", False, "api", teller)


@pytest.mark.parametrize(("body", "field"), [
    ({"channel": "SMS"}, "granted"),
    ({"channel": "SMS", "granted": "maybe"}, "granted"),
    ({"channel": "SMS", "granted": [True]}, "granted"),
    ({"channel": "SMS", "granted": None}, "granted"),
    ({"channel": "PIGEON", "granted": True}, "channel"),
    ({"granted": True}, "channel"),
])
def test_bad_consent_input_is_a_400_and_records_nothing(as_teller, customer, body, field):
    response = _post_json(as_teller, _url(customer, "consents"), body)
    assert response.status_code == 400
    assert field in response.json()
    assert not ConsentRecord.objects.filter(customer=customer).exists()


# --- contact details ------------------------------------------------------------------------


def _patch(client, customer, body):
    return client.generic("PATCH", _url(customer, "contact"), json.dumps(body), content_type="application/json")


def test_the_contact_endpoint_accepts_exactly_the_fields_the_service_allows():
    assert set(ContactUpdateSerializer().fields) == CONTACT_FIELDS


def test_updating_the_mobile_answers_the_changed_fields_and_the_masked_contact(as_teller, customer, teller):
    response = _patch(as_teller, customer, {"mobile": "+86 139 0000 1111", "service_notes": "听力不好，请大声说话"})
    assert response.status_code == 200
    body = response.json()
    assert sorted(body["changed"]) == ["mobile", "service_notes"]
    assert body["contact"]["masked_mobile"] == "139****1111"
    assert body["contact"]["masked_email"] == "n***@example.com"
    assert body["contact"]["service_notes"] == "听力不好，请大声说话"
    assert "13900001111" not in response.content.decode()
    customer.refresh_from_db()
    assert customer.mobile == "+8613900001111"
    assert customer.history.first().history_user == teller


def test_a_patch_that_changes_nothing_answers_an_empty_change_list(as_teller, customer):
    response = _patch(as_teller, customer, {"preferred_language": customer.preferred_language})
    assert response.status_code == 200
    assert response.json()["changed"] == []


@pytest.mark.parametrize("field", ["full_name", "id_number", "date_of_birth", "gender", "id_type"])
def test_an_identity_field_in_a_contact_update_is_a_400_and_nothing_changes(as_teller, customer, field):
    response = _patch(as_teller, customer, {"city": "杭州市", field: "x"})
    assert response.status_code == 400
    assert "administrator" in response.json()[field][0]
    customer.refresh_from_db()
    assert customer.city != "杭州市"


@pytest.mark.parametrize("field", ["do_not_contact", "home_branch", "nickname"])
def test_an_unknown_field_in_a_contact_update_is_a_400(as_teller, customer, field):
    response = _patch(as_teller, customer, {field: "x"})
    assert response.status_code == 400
    assert "Unknown field" in response.json()[field][0]


def test_an_invalid_mobile_is_a_400_under_mobile_and_nothing_changes(as_teller, customer):
    response = _patch(as_teller, customer, {"mobile": "12345", "city": "杭州市"})
    assert response.status_code == 400
    assert "phone number" in response.json()["mobile"][0]
    customer.refresh_from_db()
    assert (customer.mobile, customer.city) == ("+8613812345678", "")


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not-an-email"}, "email"),
    ({"preferred_language": "fr"}, "preferred_language"),
    ({"preferred_contact_channel": "FAX"}, "preferred_contact_channel"),
    ({"preferred_contact_time": "MIDNIGHT"}, "preferred_contact_time"),
    ({"salutation": "x" * 21}, "salutation"),
    ({"address": ["a", "list"]}, "address"),
])
def test_bad_contact_values_are_a_400_under_the_field(as_teller, customer, body, field):
    response = _patch(as_teller, customer, body)
    assert response.status_code == 400
    assert field in response.json()


# --- revealing the ID number ------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "abc"}])
def test_revealing_the_id_without_a_reason_is_a_400_and_logs_nothing(as_teller, customer, body):
    response = _post_json(as_teller, _url(customer, "reveal-id"), body)
    assert response.status_code == 400
    assert "reason" in response.json()
    assert customer.id_number not in response.content.decode()
    assert not CustomerAccessLog.objects.filter(customer=customer).exists()


def test_revealing_the_id_with_a_reason_answers_it_in_full_and_logs_the_reason(as_teller, customer, teller):
    response = _post_json(as_teller, _url(customer, "reveal-id"), {"reason": "客户办理大额取款，核对身份"})
    assert response.status_code == 200
    assert response.json() == {"id_number": customer.id_number}
    assert response["Cache-Control"] == "no-store"
    log = CustomerAccessLog.objects.get(customer=customer)
    assert (log.user, log.via, log.action, log.field, log.reason, log.ip_address) == (
        teller, AccessVia.API, AccessAction.REVEAL, "id_number", "客户办理大额取款，核对身份", "127.0.0.1")


# --- domain errors become 4xx -----------------------------------------------------------------


def test_the_api_exception_handler_turns_not_allowed_into_403_and_customer_invalid_into_400():
    context = {"request": APIRequestFactory().get("/"), "view": None}
    forbidden = api_exception_handler(NotAllowed("Only an administrator may change: full_name."), context)
    assert (forbidden.status_code, forbidden.data) == (403, {"detail": "Only an administrator may change: full_name."})
    invalid = api_exception_handler(CustomerInvalid("Unknown channel.", field="channel"), context)
    assert (invalid.status_code, invalid.data) == (400, {"channel": ["Unknown channel."]})


def test_customers_are_untouched_by_refused_writes(as_teller, customer):
    before = Customer.objects.filter(pk=customer.pk).values().get()
    _patch(as_teller, customer, {"full_name": "欧阳大娜"})
    _patch(as_teller, customer, {"mobile": "not a number"})
    assert Customer.objects.filter(pk=customer.pk).values().get() == before
