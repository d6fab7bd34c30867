import datetime as dt

import pytest

from customers.search import customers_search
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(branch, other_branch):
    return {
        "zhang_wei": CustomerFactory(full_name="张伟", home_branch=branch, mobile="13812345678"),
        "zhang_weiming": CustomerFactory(full_name="张伟明", home_branch=branch),
        "zhang_wei_bj": CustomerFactory(full_name="张伟", home_branch=other_branch),
        "ouyang": CustomerFactory(full_name="欧阳娜娜", home_branch=branch,
                                  date_of_birth=dt.date(1992, 5, 1)),
        "li_na": CustomerFactory(full_name="李娜", home_branch=branch),
        "x_id": CustomerFactory(full_name="王芳", home_branch=branch, date_of_birth=dt.date(1980, 1, 1),
                                id_number=_id_ending_in_x()),
    }


def _id_ending_in_x():
    for sequence in range(1000):
        number = resident_id(dt.date(1980, 1, 1), sequence=sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit in range")


def names(result):
    return [c.full_name for c in result.customers]


def test_a_two_character_name_finds_the_exact_matches_first_own_branch_first(people, branch):
    result = customers_search(query="张伟", branch_id=branch.pk)
    assert [c.pk for c in result.customers[:3]] == [people["zhang_wei"].pk, people["zhang_wei_bj"].pk,
                                                    people["zhang_weiming"].pk]
    assert not result.exact_identifier


def test_a_name_prefix_and_a_contained_name_match(people, branch):
    assert "欧阳娜娜" in names(customers_search(query="欧阳", branch_id=branch.pk))
    assert "欧阳娜娜" in names(customers_search(query="娜娜", branch_id=branch.pk))


@pytest.mark.parametrize("query", ["ouyangnana", "ouyang nana", "OuYang NaNa", "oynn", "ouyang"])
def test_pinyin_in_any_spacing_or_initials_finds_a_compound_surname(people, branch, query):
    assert names(customers_search(query=query, branch_id=branch.pk))[0] == "欧阳娜娜"


def test_a_misspelt_pinyin_still_finds_the_customer(people, branch):
    assert "欧阳娜娜" in names(customers_search(query="ouyangnanna", branch_id=branch.pk))


def test_a_misspelt_chinese_name_finds_by_similarity(people, branch):
    assert "张伟明" in names(customers_search(query="张伟民", branch_id=branch.pk))


@pytest.mark.parametrize("query", ["13812345678", "+86 138 1234 5678", "138-1234-5678"])
def test_a_mobile_in_any_common_format_is_an_exact_identifier(people, branch, query):
    result = customers_search(query=query, branch_id=branch.pk)
    assert result.exact_identifier
    assert [c.pk for c in result.customers] == [people["zhang_wei"].pk]


def test_an_id_number_ending_in_x_is_found_with_a_lower_case_x(people, branch):
    typed = people["x_id"].id_number.lower()
    result = customers_search(query=typed, branch_id=branch.pk)
    assert result.exact_identifier
    assert [c.pk for c in result.customers] == [people["x_id"].pk]


def test_a_customer_number_in_any_case_is_an_exact_identifier(people, branch):
    """Account and card numbers too: accounts/tests/test_customer_search.py."""
    result = customers_search(query=people["li_na"].customer_no.lower(), branch_id=branch.pk)
    assert result.exact_identifier
    assert [c.pk for c in result.customers] == [people["li_na"].pk]


def test_an_unknown_identifier_falls_back_to_no_result(people, branch):
    result = customers_search(query="13900000000", branch_id=branch.pk)
    assert result.customers == []


def test_results_are_capped_at_twenty(branch):
    CustomerFactory.create_batch(25, full_name="张伟", home_branch=branch)
    assert len(customers_search(query="张伟", branch_id=branch.pk).customers) == 20


def test_an_empty_query_finds_nothing(people):
    assert customers_search(query="   ").customers == []
