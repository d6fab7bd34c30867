"""The customers floor of the API: search and the teller's writes on one profile (issue 3)."""

import datetime as dt
import json

import pytest
from rest_framework.test import APIRequestFactory

from accounts.tests.factories import AccountFactory, CardFactory
from crm_site.exceptions import NotAllowed, api_exception_handler
from customers.api.serializers import ContactUpdateSerializer
from customers.exceptions import CustomerInvalid
from customers.models import AccessAction, AccessVia, ConsentRecord, Customer, CustomerAccessLog, Interaction
from customers.services import CONTACT_FIELDS
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/customers/"
SEARCH_POST = "/api/v1/customers/search/"
CARD_PAN = "6228480402564890018"


def _id_ending_in_x(born: dt.date) -> str:
    for sequence in range(1000):
        number = resident_id(born, sequence=sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit in range")


@pytest.fixture
def people(branch, other_branch):
    ouyang = CustomerFactory(full_name="欧阳娜娜", home_branch=branch, date_of_birth=dt.date(1992, 5, 1),
                             mobile="13812345678", email="nana.ouyang@example.com")
    wang = CustomerFactory(full_name="王芳", home_branch=branch, date_of_birth=dt.date(1980, 1, 1),
                           id_number=_id_ending_in_x(dt.date(1980, 1, 1)))
    li = CustomerFactory(full_name="李娜", home_branch=other_branch)
    account = AccountFactory(customer=li, account_no="6217001234567890123")
    CardFactory(account=account, pan=CARD_PAN)
    return {"ouyang": ouyang, "wang": wang, "li": li, "zhang": CustomerFactory(full_name="张伟", home_branch=branch)}


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


def _search(client, query):
    """An identifier is searched with the query in the body, never in the URL."""
    return _post_json(client, SEARCH_POST, {"q": query})


def _post_json(client, url, body):
    return client.generic("POST", url, json.dumps(body), content_type="application/json")


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "query"), [
    ("ouyang", "欧阳娜娜"),
    ("ouyang", "ouyangnana"),
    ("ouyang", "ouyang nana"),
    ("ouyang", "oynn"),
    ("zhang", "张伟"),
])
def test_search_by_name_pinyin_or_initials_puts_the_customer_first(as_teller, people, key, query):
    response = as_teller.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response.json()["results"][0]["customer_no"] == people[key].customer_no
    assert response.json()["exact_identifier"] is False


@pytest.mark.parametrize(("key", "query"), [
    ("ouyang", "+86 138 1234 5678"),
    ("ouyang", "138-1234-5678"),
    ("li", "6217001234567890123"),
    ("li", "6228 4804 0256 4890 018"),
])
def test_search_by_mobile_account_or_card_number_is_an_exact_identifier(as_teller, people, key, query):
    body = _search(as_teller, query).json()
    assert body["exact_identifier"] is True
    assert [row["customer_no"] for row in body["results"]] == [people[key].customer_no]


def test_search_by_an_id_number_typed_with_a_lower_case_x_finds_the_customer(as_teller, people):
    typed = people["wang"].id_number.lower()
    assert typed.endswith("x")
    body = _search(as_teller, typed).json()
    assert body["exact_identifier"] is True
    assert [row["customer_no"] for row in body["results"]] == [people["wang"].customer_no]


def test_a_search_result_has_the_masked_identifiers_branch_age_and_tier(as_teller, people, branch):
    row = as_teller.get(SEARCH, {"q": "欧阳娜娜"}).json()["results"][0]
    ouyang = people["ouyang"]
    assert row == {
        "customer_no": ouyang.customer_no,
        "full_name": "欧阳娜娜",
        "masked_id_number": "****" + ouyang.id_number[-4:],
        "masked_mobile": "138****5678",
        "home_branch": {"code": branch.code, "name": branch.name},
        "age": ouyang.age(),
        "tier": None,  # not scored yet
    }


def test_a_search_result_carries_the_customers_tier_once_scored(as_teller, people):
    from scoring.tests.factories import CustomerScoreFactory

    CustomerScoreFactory(customer=people["ouyang"], tier="AA")
    for response in (as_teller.get(SEARCH, {"q": "欧阳娜娜"}),
                     as_teller.post(f"{SEARCH}search/", {"q": people["ouyang"].mobile}, format="json")):
        assert response.json()["results"][0]["tier"] == "AA"


def test_search_results_never_contain_a_full_id_number_mobile_or_email(as_teller, people):
    ouyang = people["ouyang"]
    text = _search(as_teller, "+8613812345678").content.decode()
    assert ouyang.customer_no in text
    for secret in (ouyang.id_number, ouyang.mobile, "13812345678", ouyang.email):
        assert secret not in text


def test_search_ranks_the_callers_own_branch_first(api_client, branch, other_branch, teller, other_branch_manager):
    here = CustomerFactory(full_name="张伟", home_branch=branch)
    there = CustomerFactory(full_name="张伟", home_branch=other_branch)
    for user, expected in ((teller, [here, there]), (other_branch_manager, [there, here])):
        api_client.force_login(user)
        results = api_client.get(SEARCH, {"q": "张伟"}).json()["results"]
        assert [row["customer_no"] for row in results] == [c.customer_no for c in expected]


def test_search_returns_at_most_twenty_results(as_teller, branch):
    CustomerFactory.create_batch(23, full_name="李娜", home_branch=branch)
    assert len(as_teller.get(SEARCH, {"q": "李娜"}).json()["results"]) == 20


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_search_without_a_query_is_a_400_that_says_what_to_give(as_teller, params):
    response = as_teller.get(SEARCH, params)
    assert response.status_code == 400
    assert "name, mobile, ID" in response.json()["q"][0]


def test_error_messages_follow_the_callers_language(as_teller, customer):
    search = as_teller.get(SEARCH, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert search.json()["q"] == ["请在 q 参数中给出要搜索的内容：姓名、手机号、证件号、账号、卡号或客户号。"]
    reveal = as_teller.generic("POST", _url(customer, "reveal-id"), "{}", content_type="application/json",
                               HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert reveal.json()["reason"] == ["请说明查看完整证件号的原因。"]


def test_search_with_an_overlong_query_is_a_400(as_teller):
    response = as_teller.get(SEARCH, {"q": "张" * 101})
    assert response.status_code == 400
    assert "q" in response.json()


@pytest.mark.parametrize("query", ["%", "+", "()", "_", "-"])
def test_a_search_of_only_punctuation_finds_nothing_rather_than_failing(as_teller, people, query):
    response = as_teller.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response.json() == {"exact_identifier": False, "results": []}


def test_a_search_with_a_nul_character_is_a_400(as_teller, people):
    response = as_teller.get(SEARCH, {"q": "张\x00伟"})
    assert response.status_code == 400
    assert "q" in response.json()


# --- identifiers stay out of URLs (issue 11 §1) -----------------------------------------------------


@pytest.mark.parametrize("identifier", ["13812345678", "+86 138 1234 5678", "6217001234567890123",
                                        "6228 4804 0256 4890 018", "11010519491231002X", "110105194912310"])
def test_a_get_search_with_an_identifier_is_a_400_that_points_to_the_post_form(as_teller, people, identifier):
    response = as_teller.get(SEARCH, {"q": identifier})
    assert response.status_code == 400
    message = response.json()["q"][0]
    assert "POST /api/v1/customers/search/" in message
    assert identifier not in response.content.decode()


@pytest.mark.parametrize("name", ["欧阳娜娜", "ouyang nana", "oynn"])
def test_a_get_search_by_name_keeps_working(as_teller, people, name):
    response = as_teller.get(SEARCH, {"q": name})
    assert response.status_code == 200
    assert response.json()["results"][0]["customer_no"] == people["ouyang"].customer_no


def test_a_get_search_by_customer_number_keeps_working(as_teller, people):
    response = as_teller.get(SEARCH, {"q": people["li"].customer_no})
    assert response.json()["results"][0]["customer_no"] == people["li"].customer_no


def test_the_post_search_finds_names_as_the_get_does(as_teller, people):
    assert _search(as_teller, "ouyang nana").json() == as_teller.get(SEARCH, {"q": "ouyang nana"}).json()


@pytest.mark.parametrize("body", [{}, {"q": ""}, {"q": "张" * 101}, {"q": "张\x00伟"}, {"q": ["张伟"]}, ["张伟"],
                                  "张伟"])
def test_a_bad_post_search_is_a_400(as_teller, people, body):
    response = _post_json(as_teller, SEARCH_POST, body)
    assert response.status_code == 400


def test_the_post_search_needs_the_view_permission(api_client, channel_system, people):
    api_client.force_authenticate(channel_system)
    assert _post_json(api_client, SEARCH_POST, {"q": "欧阳娜娜"}).status_code == 403


def test_the_post_search_is_in_the_openapi_schema(as_teller):
    schema = as_teller.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/customers/search/"]["post"]
    assert operation["operationId"] == "customers_search_post"
    assert "requestBody" in operation


def test_search_answers_are_never_cached(as_teller, people):
    for response in (as_teller.get(SEARCH, {"q": "张伟"}), _search(as_teller, "13812345678")):
        assert "no-store" in response["Cache-Control"]


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
