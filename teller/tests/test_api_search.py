"""The one-box search over the API (teller floor: it adds each result's tier and top next-best offer): names,
identifiers by POST only."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import AccountFactory, CardFactory, ProductFactory
from customers.tests.factories import CustomerFactory, resident_id
from propensity.models import PropensityModel, PropensityScore
from propensity.selectors import next_best_offers

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
        "top_offer": None,  # no propensity model yet
    }


def test_a_search_result_carries_the_customers_tier_once_scored(as_teller, people):
    from scoring.tests.factories import CustomerScoreFactory

    CustomerScoreFactory(customer=people["ouyang"], tier="AA")
    for response in (as_teller.get(SEARCH, {"q": "欧阳娜娜"}),
                     as_teller.post(f"{SEARCH}search/", {"q": people["ouyang"].mobile}, format="json")):
        assert response.json()["results"][0]["tier"] == "AA"


# --- the top offer -----------------------------------------------------------------------------


def _current_model(product, auc=0.8):
    return PropensityModel.objects.create(product=product, version=1, algorithm="test", training_size=200,
                                          positives=40, metrics={"auc": auc}, fitted=b"", is_current=True)


def _score(customer, model, probability, decile=1):
    return PropensityScore.objects.create(customer=customer, product=model.product, model=model,
                                          probability=probability, decile=decile,
                                          reasons=[{"f": "aum", "top": 10}], computed_at=timezone.now())


@pytest.fixture
def offer_models(db):
    """A mortgage (worth 6,000 a year to the bank) and a wealth product (1,200), each with a current model."""
    return {"mortgage": _current_model(ProductFactory(code="ML-HOME", name="安居房贷", kind="MORTGAGE")),
            "wealth": _current_model(ProductFactory(code="WM-NEW", name="稳享理财", kind="WEALTH"), auc=0.55)}


def test_a_search_result_carries_the_offer_the_360_shows_first(as_teller, people, offer_models):
    ouyang, wang = people["ouyang"], people["wang"]
    # 0.2 × 6,000 = 1,200 beats 0.9 × 1,200 = 1,080: the value ranks, not the probability
    _score(ouyang, offer_models["mortgage"], 0.2, decile=4)
    _score(ouyang, offer_models["wealth"], 0.9)
    # wang holds the mortgage already: the wealth product is the one to offer
    _score(wang, offer_models["mortgage"], 0.5)
    _score(wang, offer_models["wealth"], 0.3, decile=7)
    AccountFactory(customer=wang, product=offer_models["mortgage"].product)
    for customer, code, band in ((ouyang, "ML-HOME", "medium"), (wang, "WM-NEW", "low")):
        offer = _search(as_teller, customer.customer_no).json()["results"][0]["top_offer"]
        first = next_best_offers(customer=customer)[0]
        assert offer["product"]["code"] == first.product.code == code
        assert offer["band"] == band
        assert offer["expected_value"] == str(first.expected_value)
        assert offer["weak"] is (code == "WM-NEW")
        assert offer["reasons"] == first.reasons != []
    assert _search(as_teller, people["zhang"].customer_no).json()["results"][0]["top_offer"] is None


def test_the_top_offers_of_a_page_of_results_cost_one_query(as_teller, branch, offer_models,
                                                            django_assert_num_queries):
    """No query per result or per offer: a page of twelve costs as many queries with offers as without,
    and reads the scores once."""
    customers = CustomerFactory.create_batch(12, full_name="王芳", home_branch=branch)
    as_teller.get(SEARCH, {"q": "王芳"})  # the session and the permissions, read once
    with CaptureQueriesContext(connection) as without_offers:
        assert all(row["top_offer"] is None for row in as_teller.get(SEARCH, {"q": "王芳"}).json()["results"])
    for customer in customers:
        _score(customer, offer_models["mortgage"], 0.4)
        _score(customer, offer_models["wealth"], 0.6)
    with django_assert_num_queries(len(without_offers)) as with_offers:
        results = as_teller.get(SEARCH, {"q": "王芳"}).json()["results"]
    assert len(results) == 12 and all(row["top_offer"]["product"]["code"] == "ML-HOME" for row in results)
    assert sum(PropensityScore._meta.db_table in q["sql"] for q in with_offers.captured_queries) == 1


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


def test_search_error_messages_follow_the_callers_language(as_teller):
    search = as_teller.get(SEARCH, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert search.json()["q"] == ["请在 q 参数中给出要搜索的内容：姓名、手机号、证件号、账号、卡号或客户号。"]


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
