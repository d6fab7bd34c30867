"""The teller's one-box search page: every form of query, ranking, masks."""


import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.factories import AccountFactory, CardFactory
from customers.tests.factories import CustomerFactory

from .builders import CARD_PAN
from .pages import HTMX, customer_url, id_ending_in_x, order_in, search

pytestmark = pytest.mark.django_db

# --- search -------------------------------------------------------------------------------


@pytest.fixture
def people(branch, other_branch):
    born_x = dt.date(1980, 1, 1)
    return {
        "zhang_wei": CustomerFactory(full_name="张伟", home_branch=branch, mobile="13812345678"),
        "zhang_wei_bj": CustomerFactory(full_name="张伟", home_branch=other_branch),
        "zhang_weiming": CustomerFactory(full_name="张伟明", home_branch=branch),
        "ouyang": CustomerFactory(full_name="欧阳娜娜", home_branch=branch, date_of_birth=dt.date(1992, 5, 1)),
        "wang_fang": CustomerFactory(full_name="王芳", home_branch=branch, date_of_birth=born_x,
                                     id_number=id_ending_in_x(born_x)),
        "li_na": CustomerFactory(full_name="李娜", home_branch=other_branch),
    }





@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张伟", "zhang_wei"),  # a name of two characters
        ("欧阳", "ouyang"),  # a compound surname, by prefix
        ("欧阳娜娜", "ouyang"),
        ("娜娜", "ouyang"),  # contained
        ("zhangwei", "zhang_wei"),  # full pinyin
        ("zhang wei", "zhang_wei"),  # pinyin with a space
        ("ouyang nana", "ouyang"),
        ("oynn", "ouyang"),  # initials
        ("zw", "zhang_wei"),
        ("ouyangnanna", "ouyang"),  # a typo in the pinyin
    ],
)
def test_a_name_in_characters_pinyin_or_initials_lists_the_customer_first(teller_client, people, query, expected):
    response = search(teller_client, query)
    assert response.status_code == 200
    customers = response.context["result"].customers
    assert customers[0] == people[expected]
    html = response.content.decode()
    assert people[expected].customer_no in html
    assert 'id="search-box"' in html  # the whole page, box and all


def test_a_misspelt_chinese_name_finds_the_customer_by_similarity(teller_client, people):
    response = search(teller_client, "张伟民")
    assert people["zhang_weiming"] in response.context["result"].customers


@pytest.mark.parametrize("written", ["13812345678", "+86 138 1234 5678", "138-1234-5678", "+8613812345678"])
def test_a_mobile_in_any_common_format_opens_the_customer(teller_client, people, written):
    response = search(teller_client, written)
    assert response.status_code == 303
    assert response["Location"] == customer_url(people["zhang_wei"])


def test_an_id_number_ending_in_x_typed_with_a_lower_case_x_opens_the_customer(teller_client, people):
    typed = people["wang_fang"].id_number.lower()
    assert typed.endswith("x")
    response = search(teller_client, typed)
    assert response.status_code == 303
    assert response["Location"] == customer_url(people["wang_fang"])


def test_an_account_number_opens_the_customer(teller_client, people):
    account = AccountFactory(customer=people["li_na"], account_no="6217001234567890123")
    response = search(teller_client, account.account_no)
    assert response.status_code == 303
    assert response["Location"] == customer_url(people["li_na"])


@pytest.mark.parametrize("written", [CARD_PAN, "6228 4804 0256 4890 018"])
def test_a_card_number_from_the_card_reader_opens_the_customer(teller_client, people, written):
    CardFactory(account=AccountFactory(customer=people["li_na"]), pan=CARD_PAN)
    response = search(teller_client, written)
    assert response.status_code == 303
    assert response["Location"] == customer_url(people["li_na"])


def test_a_customer_number_opens_the_customer(teller_client, people):
    response = search(teller_client, people["ouyang"].customer_no.lower())
    assert response.status_code == 303
    assert response["Location"] == customer_url(people["ouyang"])


def test_the_live_search_answers_with_the_results_table_only(teller_client, people):
    response = search(teller_client, "zhang wei", **HTMX)
    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith('<table class="results"')
    assert "<html" not in html
    assert 'id="search-box"' not in html
    assert 'data-query="zhang wei"' in html
    assert people["zhang_wei"].customer_no in html


def test_the_live_search_lists_an_exact_identifier_instead_of_redirecting(teller_client, people):
    """Redirecting an htmx request would swap the whole profile page into the results box."""
    response = search(teller_client, "+86 138 1234 5678", **HTMX)
    assert response.status_code == 200
    assert 'data-exact="1"' in response.content.decode()
    assert response.context["result"].customers == [people["zhang_wei"]]


def test_an_identifier_matching_several_customers_lists_them(teller_client, branch):
    shared = CustomerFactory(full_name="赵敏", home_branch=branch)
    account = AccountFactory(customer=shared, account_no="6217009999999999999")
    CustomerFactory(full_name="赵敏", home_branch=branch, customer_no=account.account_no)  # a legacy CIF number
    response = search(teller_client, account.account_no)
    assert response.status_code == 200
    assert len(response.context["result"].customers) == 2


def test_results_rank_exact_name_then_own_branch_then_prefix(teller_client, branch, other_branch):
    exact_here = CustomerFactory(full_name="张伟", home_branch=branch)
    exact_there = CustomerFactory(full_name="张伟", home_branch=other_branch)
    prefix_here = CustomerFactory(full_name="张伟明", home_branch=branch)
    prefix_there = CustomerFactory(full_name="张伟华", home_branch=other_branch)
    html = search(teller_client, "张伟").content.decode()
    positions = order_in(html, exact_here.customer_no, exact_there.customer_no, prefix_here.customer_no,
                         prefix_there.customer_no)
    assert positions == sorted(positions)


def test_results_rank_prefix_before_similarity_and_own_branch_before_either(teller_client, branch, other_branch):
    exact_there = CustomerFactory(full_name="张伟", home_branch=other_branch)  # zhangwei
    prefix_here = CustomerFactory(full_name="张伟明", home_branch=branch)  # zhangweiming
    similar_here = CustomerFactory(full_name="张歪", home_branch=branch)  # zhangwai
    prefix_there = CustomerFactory(full_name="张伟华", home_branch=other_branch)  # zhangweihua
    similar_there = CustomerFactory(full_name="章歪", home_branch=other_branch)  # zhangwai
    html = search(teller_client, "zhangwei").content.decode()
    expected = [exact_there, prefix_here, similar_here, prefix_there, similar_there]
    positions = order_in(html, *(c.customer_no for c in expected))
    assert positions == sorted(positions)


def test_results_show_masks_never_the_full_identifiers(teller_client, people):
    html = search(teller_client, "王芳").content.decode()
    wang = people["wang_fang"]
    assert wang.masked_id_number in html
    assert wang.masked_mobile in html
    assert wang.id_number not in html
    assert wang.mobile.removeprefix("+86") not in html


def test_no_match_says_so(teller_client, people):
    response = search(teller_client, "司马相如")
    assert response.status_code == 200
    assert response.context["result"].customers == []
    assert "No customer matches “司马相如”." in response.content.decode()


def test_what_the_teller_typed_is_shown_escaped(teller_client, people):
    html = search(teller_client, "<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_empty_search_shows_the_box_and_no_message(teller_client, people):
    response = search(teller_client, "   ")
    assert response.status_code == 200
    assert "No customer matches" not in response.content.decode()


# --- identifiers stay out of URLs, and are echoed masked (issue 11 §1) -----------------------------------


def test_the_search_box_posts_its_query_and_has_no_get_form(teller_client):
    for url in (reverse("teller:home"), reverse("teller:search")):
        html = teller_client.get(url).content.decode()
        form = html[html.index('<form id="search-form"'):]
        form = form[:form.index("</form>")]
        assert 'method="post"' in form
        assert "hx-post=" in form
        assert "hx-get=" not in form
        assert "csrfmiddlewaretoken" in form


@pytest.mark.parametrize("identifier", ["13812345678", "+86 138 1234 5678", "6217001234567890123",
                                        "6228 4804 0256 4890 018", "11010519491231002X"])
def test_an_identifier_in_the_search_url_is_a_400_that_points_to_the_box_and_does_not_echo_it(teller_client, people,
                                                                                             identifier):
    response = teller_client.get(reverse("teller:search"), {"q": identifier})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Type or scan it into the box above" in html
    digits = "".join(ch for ch in identifier if ch.isalnum())
    assert digits not in html.replace(" ", "")
    assert identifier not in html
    assert 'id="search-box"' in html


def test_a_name_in_the_search_url_still_lists_the_customers(teller_client, people):
    response = teller_client.get(reverse("teller:search"), {"q": "张伟"})
    assert response.status_code == 200
    assert response.context["result"].customers[0] == people["zhang_wei"]


def test_an_identifier_matching_several_customers_is_echoed_masked(teller_client, branch):
    shared = CustomerFactory(full_name="赵敏", home_branch=branch)
    account = AccountFactory(customer=shared, account_no="6217009999999990123")
    CustomerFactory(full_name="赵敏", home_branch=branch, customer_no=account.account_no)
    for headers in ({}, HTMX):
        html = search(teller_client, account.account_no, **headers).content.decode()
        assert 'data-query="****0123"' in html
        assert f'value="{account.account_no}"' not in html  # not written back into the box


def test_an_identifier_that_matches_nobody_is_echoed_masked(teller_client, people):
    for headers in ({}, HTMX):
        html = search(teller_client, "6217 0000 1111 2222 333", **headers).content.decode()
        assert "****2333" in html
        assert "62170000" not in html.replace(" ", "")


def test_a_name_is_echoed_as_typed_and_kept_in_the_box(teller_client, people):
    html = search(teller_client, "zhang wei").content.decode()
    assert 'value="zhang wei"' in html
    assert 'data-query="zhang wei"' in html


def test_search_answers_are_never_cached(teller_client, people):
    for response in (search(teller_client, "张伟"), search(teller_client, "张伟", **HTMX),
                     search(teller_client, "13812345678")):
        assert "no-store" in response["Cache-Control"]
