"""Likely duplicates: each kind of pair is found on crafted data, and distinct people are never paired."""

import datetime as dt

import pytest

from customers import merge
from customers.duplicates import duplicate_pairs
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db


def _pairs(user, **kwargs):
    return {(frozenset((p.a.customer_no, p.b.customer_no)), tuple(p.reasons), p.score)
            for p in duplicate_pairs(user=user, **kwargs)}


def person(branch, name, born, **fields):
    return CustomerFactory(home_branch=branch, full_name=name, date_of_birth=born, **fields)


@pytest.fixture
def crowd(branch):
    """Distinct people, some born on the same day or with similar-looking names, but never one person twice."""
    return [
        person(branch, "李娜", dt.date(1980, 1, 1)),
        person(branch, "王芳", dt.date(1981, 2, 2)),
        person(branch, "黄河", dt.date(1970, 5, 5)),  # the birth date of the ID pair below, another name
        person(branch, "张伟", dt.date(1991, 1, 1)),  # the name of the pinyin pair below, another birth date
        person(branch, "刘洋", dt.date(1988, 8, 8)),
        person(branch, "刘阳阳", dt.date(1988, 8, 8)),  # same day, similar pinyin, but another length of name
        person(branch, "张文", dt.date(1988, 8, 8)),
        person(branch, "张伟", dt.date(1988, 8, 8)),  # zhangwen / zhangwei: similar, not similar enough
    ]


def test_distinct_customers_make_no_pair(crowd, admin_user):
    assert _pairs(admin_user) == set()


def test_each_kind_of_pair_is_found_with_its_score(crowd, branch, admin_user):
    born = dt.date(1970, 5, 5)
    shared_id = resident_id(born, sequence=901)
    same_id = (person(branch, "孙悦", born, id_number=shared_id), person(branch, "周杰", born, id_number=shared_id))
    same_mobile = (person(branch, "郭靖", dt.date(1960, 1, 1), mobile="13711112222"),
                   person(branch, "黄蓉", dt.date(1962, 2, 2), mobile="137 1111 2222"))
    same_name = (person(branch, "吴敏", dt.date(1977, 7, 7)), person(branch, "吴敏", dt.date(1977, 7, 7)))
    sound_alike = (person(branch, "张伟", dt.date(1985, 6, 15)), person(branch, "章伟", dt.date(1985, 6, 15)))

    def key(pair):
        return frozenset(c.customer_no for c in pair)

    assert _pairs(admin_user) == {
        (key(same_id), ("id_number",), 100),
        (key(same_name), ("name_dob",), 80),
        (key(same_mobile), ("mobile",), 60),
        (key(sound_alike), ("pinyin_dob",), 50),
    }
    page = duplicate_pairs(user=admin_user)
    assert [pair.score for pair in page] == [100, 80, 60, 50]  # the most likely first


def test_reasons_add_up_strongest_first(branch, admin_user):
    a = person(branch, "吴敏", dt.date(1977, 7, 7), mobile="13500000001")
    b = person(branch, "吴敏", dt.date(1977, 7, 7), mobile="13500000001")
    (pair,) = duplicate_pairs(user=admin_user)
    assert {pair.a, pair.b} == {a, b}
    assert (pair.reasons, pair.score) == (["name_dob", "mobile"], 100)  # 80 + half of 60, at most 100
    assert pair.reason_labels == ["same name and date of birth", "same mobile"]


def test_merged_and_dismissed_pairs_are_not_listed(branch, admin_user):
    a, b, c = (person(branch, "吴敏", dt.date(1977, 7, 7), id_number="") for _ in range(3))
    assert len(duplicate_pairs(user=admin_user)) == 3
    merge.customers_merge(survivor=a, merged=b, merged_by=admin_user)
    assert [{p.a, p.b} for p in duplicate_pairs(user=admin_user)] == [{a, c}]
    merge.duplicate_dismiss(customer=c, other=a, dismissed_by=admin_user)
    assert list(duplicate_pairs(user=admin_user)) == []


def test_a_mobile_shared_by_a_crowd_is_not_a_likely_duplicate(branch, admin_user, settings):
    settings.DUPLICATES_GROUP_MAX = 2
    for name, born in [("郭靖", dt.date(1960, 1, 1)), ("黄蓉", dt.date(1962, 2, 2)), ("杨过", dt.date(1964, 3, 3))]:
        person(branch, name, born, mobile="13711112222")
    assert _pairs(admin_user) == set()
    settings.DUPLICATES_GROUP_MAX = 3
    assert len(_pairs(admin_user)) == 3


def test_pairs_come_one_page_at_a_time(branch, admin_user):
    for n in range(3):
        person(branch, "吴敏", dt.date(1977, 7, 7 + n))
        person(branch, "吴敏", dt.date(1977, 7, 7 + n))
    first = duplicate_pairs(user=admin_user, per_page=2)
    second = duplicate_pairs(user=admin_user, page=2, per_page=2)
    assert (first.paginator.count, first.paginator.num_pages, len(first), len(second)) == (3, 2, 2, 1)
    assert {frozenset((p.a.pk, p.b.pk)) for p in first}.isdisjoint({frozenset((p.a.pk, p.b.pk)) for p in second})
    assert duplicate_pairs(user=admin_user, page=99, per_page=2).number == 1
    assert duplicate_pairs(user=admin_user, page="x", per_page=2).number == 1


def test_only_those_who_may_merge_see_pairs(branch, manager):
    person(branch, "吴敏", dt.date(1977, 7, 7))
    person(branch, "吴敏", dt.date(1977, 7, 7))
    assert list(duplicate_pairs(user=manager)) == []
