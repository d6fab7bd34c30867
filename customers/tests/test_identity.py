"""Resident ID numbers (GB 11643), phone numbers and pinyin search keys."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from customers import identity
from customers.tests.factories import resident_id

BORN = dt.date(1985, 6, 15)
# The worked example of GB 11643-1999, Annex A: Beijing Chaoyang, born 1949-12-31, check character X.
STANDARD_EXAMPLE_WITH_X = "11010519491231002X"


def error_codes(exc_info) -> set[str]:
    return {error.code for error in exc_info.value.error_list}


def with_check_char(first17: str) -> str:
    return first17 + identity.resident_id_check_char(first17)


# --- resident ID numbers ------------------------------------------------------------------


def test_a_valid_resident_id_is_accepted_and_returned_normalised():
    number = resident_id(BORN)
    assert identity.validate_resident_id(f" {number[:6]} {number[6:]} ", BORN) == number


def test_a_wrong_check_digit_is_rejected():
    number = resident_id(BORN)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc_info:
        identity.validate_resident_id(wrong)
    assert error_codes(exc_info) == {"check_digit"}


def test_the_standard_example_with_an_x_check_digit_is_valid():
    assert identity.resident_id_check_char(STANDARD_EXAMPLE_WITH_X[:17]) == "X"
    assert identity.validate_resident_id(STANDARD_EXAMPLE_WITH_X, dt.date(1949, 12, 31)) == STANDARD_EXAMPLE_WITH_X


def test_a_lower_case_x_check_digit_is_normalised_to_upper_case():
    assert identity.validate_resident_id(STANDARD_EXAMPLE_WITH_X.lower()) == STANDARD_EXAMPLE_WITH_X


def test_an_x_where_a_digit_is_due_is_a_wrong_check_digit():
    number = resident_id(BORN)
    assert number[17] != "X"
    with pytest.raises(ValidationError) as exc_info:
        identity.validate_resident_id(number[:17] + "x")
    assert error_codes(exc_info) == {"check_digit"}


def test_a_region_code_that_is_neither_a_county_nor_a_province_is_rejected():
    with pytest.raises(ValidationError) as exc_info:
        identity.validate_resident_id(resident_id(BORN, region="990101"))
    assert error_codes(exc_info) == {"region"}


def test_a_retired_county_code_with_a_valid_province_prefix_is_accepted():
    # 440524 (Chaoyang county, Shantou) was abolished in 2003; people still carry numbers starting with it.
    assert "440524" not in identity._area_codes()
    number = resident_id(BORN, region="440524")
    assert identity.validate_resident_id(number, BORN) == number


def test_a_birth_date_that_differs_from_the_date_of_birth_is_rejected():
    with pytest.raises(ValidationError) as exc_info:
        identity.validate_resident_id(resident_id(BORN), date_of_birth=dt.date(1985, 6, 16))
    assert error_codes(exc_info) == {"birth_date_mismatch"}


@pytest.mark.parametrize("birth_code", ["19850230", "19851301", "18991231", "29990101"],
                         ids=["30 February", "month 13", "before 1900", "in the future"])
def test_an_impossible_birth_date_is_rejected(birth_code):
    with pytest.raises(ValidationError) as exc_info:
        identity.validate_resident_id(with_check_char(f"310115{birth_code}123"))
    assert error_codes(exc_info) == {"birth_date"}


@pytest.mark.parametrize("value", ["", "31011519850615123", "3101151985061512345", "31011519850615A23X"],
                         ids=["empty", "17 characters", "19 characters", "a letter inside"])
def test_a_number_of_the_wrong_shape_is_rejected(value):
    with pytest.raises(ValidationError) as exc_info:
        identity.validate_resident_id(value)
    assert error_codes(exc_info) == {"format"}


def test_every_problem_is_reported_at_once():
    wrong_everything = "990101" + "19850230" + "1230"
    with pytest.raises(ValidationError) as exc_info:
        identity.validate_resident_id(wrong_everything)
    assert {"region", "birth_date"} <= error_codes(exc_info)


def test_the_birth_date_is_read_from_the_number():
    assert identity.resident_id_birth_date(STANDARD_EXAMPLE_WITH_X) == dt.date(1949, 12, 31)
    assert identity.resident_id_birth_date(with_check_char("31011519850230123")) is None


# --- phone numbers ----------------------------------------------------------------------


@pytest.mark.parametrize("written", ["13812345678", "+86 138 1234 5678", "138-1234-5678", "(0086) 138 1234 5678",
                                     " 138 1234 5678 "])
def test_the_usual_ways_of_writing_a_chinese_mobile_become_e164(written):
    assert identity.normalise_mobile(written) == "+8613812345678"


@pytest.mark.parametrize("written", ["12345", "1381234567", "138123456789", "not a phone", "+86 000 0000 0000"])
def test_something_that_is_not_a_valid_phone_number_is_rejected(written):
    with pytest.raises(ValidationError) as exc_info:
        identity.normalise_mobile(written)
    assert error_codes(exc_info) == {"phone"}


def test_a_foreign_number_in_e164_is_kept_as_it_is():
    assert identity.normalise_mobile("+44 20 7946 0958") == "+442079460958"


def test_an_empty_phone_number_stays_empty():
    assert identity.normalise_mobile("") == ""
    assert identity.normalise_mobile("   ") == ""


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "keys"), [
    ("欧阳娜娜", ("ouyangnana", "oynn")),
    ("张伟", ("zhangwei", "zw")),
    ("吕 小 明", ("lvxiaoming", "lxm")),
])
def test_a_name_gives_its_pinyin_and_initials_for_search(name, keys):
    assert identity.name_search_keys(name) == keys


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [("曾小贤", "zengxiaoxian", "zxx"), ("单田芳", "shantianfang", "stf"), ("解缙", "xiejin", "xj"),
     ("长孙无忌", "zhangsunwuji", "zswj"), ("覃海洋", "qinhaiyang", "qhy"), ("张伟", "zhangwei", "zw")],
)
def test_surnames_are_read_as_surnames_not_as_everyday_words(name, pinyin, initials):
    assert identity.name_search_keys(name) == (pinyin, initials)
