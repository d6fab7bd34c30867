"""Personal data at rest and on screen: masks, encryption, key rotation, HMAC look-ups (of cards:
accounts/tests/test_cards.py)."""

import datetime as dt
import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from crm_site import pii
from customers import identity, services
from customers.models import Customer
from customers.tests.factories import CustomerFactory

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
ID_WITH_X = "11010519491231002X"


def raw_row(table: str, pk: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk])  # noqa: S608 - quoted
        columns = [c.name for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def raw_id_numbers(model) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {table} WHERE id_number <> ''")  # noqa: S608 - quoted model table
        return [row[0] for row in cursor.fetchall()]


# --- masks ------------------------------------------------------------------------------


def test_an_id_number_is_masked_to_its_last_four():
    customer = Customer(id_number_last4="002X")
    assert customer.masked_id_number == "****002X"


def test_a_chinese_mobile_is_masked_to_its_first_three_and_last_four_digits():
    assert pii.mask_mobile("+8613812341234") == "138****1234"
    assert Customer(mobile="+8613812345678").masked_mobile == "138****5678"


def test_a_foreign_mobile_is_masked_without_its_plus():
    assert pii.mask_mobile("+442079460958") == "442****0958"


def test_a_card_is_masked_to_its_first_six_and_last_four_digits():
    assert pii.mask_card("622848", "1234") == "622848******1234"


def test_an_email_is_masked_to_its_first_letter_and_domain():
    assert pii.mask_email("zhang.wei@example.com") == "z***@example.com"
    assert Customer(email="li@bank.example").masked_email == "l***@bank.example"


def test_empty_values_mask_to_nothing():
    assert pii.mask_id_number("") == ""
    assert pii.mask_mobile("") == ""
    assert pii.mask_card("", "") == ""
    assert pii.mask_email("") == ""
    assert pii.mask_email("not-an-address") == ""


# --- encryption at rest -----------------------------------------------------------------


def test_an_encrypted_value_decrypts_to_itself():
    token = pii.encrypt(ID_WITH_X)
    assert token != ID_WITH_X
    assert pii.decrypt(token) == ID_WITH_X


@pytest.mark.django_db
def test_an_id_number_reads_back_as_written():
    customer = CustomerFactory(id_number=ID_WITH_X, date_of_birth=None)
    assert Customer.objects.get(pk=customer.pk).id_number == ID_WITH_X


@pytest.mark.django_db
def test_the_database_holds_ciphertext_not_the_id_number():
    customer = CustomerFactory(id_number=ID_WITH_X, date_of_birth=None)
    row = raw_row(Customer._meta.db_table, customer.pk)
    assert row["id_number"].startswith("gAAAA")  # a Fernet token
    assert pii.decrypt(row["id_number"]) == ID_WITH_X
    assert not any(ID_WITH_X in str(value) for value in row.values())
    assert row["id_number_last4"] == "002X"


@pytest.mark.django_db
def test_the_history_holds_ciphertext_too():
    customer = CustomerFactory(id_number=ID_WITH_X, date_of_birth=None)
    history_ids = raw_id_numbers(Customer.history.model)
    assert customer.history.count() == len(history_ids) == 1
    assert ID_WITH_X not in history_ids[0]
    assert pii.decrypt(history_ids[0]) == ID_WITH_X


@pytest.mark.django_db
def test_rotating_the_keys_re_encrypts_every_id_number_under_the_new_key(caplog):
    caplog.set_level(logging.DEBUG)
    with override_settings(PII_ENCRYPTION_KEYS=[KEY_A]):
        first = CustomerFactory(id_number=ID_WITH_X, date_of_birth=None)
        second = CustomerFactory(date_of_birth=dt.date(1990, 1, 2))
        CustomerFactory(id_number="", id_type="PASSPORT")  # nothing to rotate
        services.customer_update(customer=first, changed_by=None, data={"email": "new@example.com"})
        numbers = {first.pk: ID_WITH_X, second.pk: second.id_number}

    with override_settings(PII_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        out = io.StringIO()
        call_command("rotate_pii_keys", "--chunk-size=1", stdout=out)
        # 2 profiles + 3 history rows with an ID number, one at a time
        assert "Re-encrypted 5 ID numbers" in out.getvalue()
        assert not any(number in out.getvalue() + caplog.text for number in numbers.values())

    with override_settings(PII_ENCRYPTION_KEYS=[KEY_B]):
        for pk, number in numbers.items():
            assert Customer.objects.get(pk=pk).id_number == number
            assert {h.id_number for h in Customer.history.filter(id=pk)} == {number}

    with override_settings(PII_ENCRYPTION_KEYS=[KEY_A]), pytest.raises(ImproperlyConfigured):
        Customer.objects.get(pk=first.pk)


@pytest.mark.django_db
def test_a_second_rotation_finds_nothing_left_to_re_encrypt():
    with override_settings(PII_ENCRYPTION_KEYS=[KEY_A]):
        CustomerFactory()
    with override_settings(PII_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("rotate_pii_keys", stdout=io.StringIO())
        before = raw_id_numbers(Customer)
        out = io.StringIO()
        call_command("rotate_pii_keys", stdout=out)
        assert "Re-encrypted 0 ID numbers" in out.getvalue()
        assert raw_id_numbers(Customer) == before


# --- look-ups by HMAC -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_customer_is_found_by_the_hmac_of_an_id_typed_with_a_lower_case_x():
    customer = CustomerFactory(id_number=ID_WITH_X, date_of_birth=None)
    CustomerFactory()  # someone else
    typed = "110105 19491231 002x"
    found = Customer.objects.filter(id_number_hmac=pii.lookup_hmac(identity.normalise_id_number(typed)))
    assert list(found) == [customer]
