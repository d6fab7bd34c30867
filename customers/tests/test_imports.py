"""Loading customer profiles from CSV: derived fields, upsert with history, every reject reason, consent."""

import datetime as dt
import io

import pytest
from django.db import connection

from crm_site import pii
from crm_site.csv_import import masked_values
from customers.imports import SPEC, customers_import
from customers.models import ConsentRecord, ConsentSource, ContactChannel, Customer, IdType
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db

BORN = dt.date(1985, 6, 15)
ID = resident_id(BORN)
HEADER = ("customer_no,full_name,home_branch,gender,date_of_birth,id_type,id_number,mobile,email,city,address,"
          "occupation,segment,preferred_language,preferred_channel,marketing_consent")


def row(**cells) -> str:
    values = {"customer_no": "C1", "full_name": "欧阳娜娜", "home_branch": "SH001", **cells}
    return ",".join(str(values.get(column, "")) for column in HEADER.split(","))


def load(*lines: str, header: str = HEADER, **options):
    text = "\n".join([header, *lines]) + "\n"
    result = customers_import(file=io.BytesIO(text.encode()), **options)
    assert result.received == result.inserted + result.updated + result.unchanged + result.rejected
    return result


def counts(result) -> tuple[int, int, int, int, int]:
    return result.received, result.inserted, result.updated, result.unchanged, result.rejected


def reasons(result) -> list[str]:
    [reject] = result.rejects
    return reject.reasons


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.fixture(autouse=True)
def sh001(branch):
    return branch


# --- the happy path -----------------------------------------------------------------------------------------


def test_a_new_customer_gets_every_column_and_the_derived_fields():
    result = load(row(gender="f", date_of_birth=BORN, id_type="resident_id", id_number=ID.lower(),
                      mobile="138 1234 5678", email="nana@example.com", city="上海市", address='"世纪大道1号, 8楼"',
                      occupation="教师", segment="Affluent", preferred_language="EN", preferred_channel="sms"))
    assert counts(result) == (1, 1, 0, 0, 0)
    customer = Customer.objects.get(customer_no="C1")
    assert (customer.full_name, customer.name_pinyin, customer.name_initials) == ("欧阳娜娜", "ouyangnana", "oynn")
    assert (customer.gender, customer.date_of_birth, customer.id_type) == ("F", BORN, IdType.RESIDENT_ID)
    assert (customer.id_number, customer.id_number_last4) == (ID, ID[-4:])
    assert customer.id_number_hmac == pii.lookup_hmac(ID)
    assert (customer.mobile, customer.email) == ("+8613812345678", "nana@example.com")
    assert (customer.city, customer.address, customer.occupation) == ("上海市", "世纪大道1号, 8楼", "教师")
    assert (customer.segment, customer.preferred_language, customer.preferred_contact_channel) == (
        "AFFLUENT", "en", "SMS")
    assert customer.home_branch.code == "SH001"


def test_the_id_number_is_encrypted_at_rest():
    load(row(id_number=ID))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM customers_customer WHERE customer_no = 'C1'")
        [(stored,)] = cursor.fetchall()
    assert ID not in stored
    assert pii.decrypt(stored) == ID


def test_a_new_customer_without_optional_columns_gets_the_defaults_and_the_birth_date_of_the_resident_id():
    load(f"C1,欧阳娜娜,SH001,{ID}", header="customer_no,full_name,home_branch,id_number")
    customer = Customer.objects.get(customer_no="C1")
    assert (customer.gender, customer.segment, customer.preferred_language) == ("U", "MASS", "zh-hans")
    assert customer.date_of_birth == BORN


def test_other_id_types_are_only_normalised():
    load(row(id_type="PASSPORT", id_number=" e 1234 5678 "))
    customer = Customer.objects.get(customer_no="C1")
    assert (customer.id_type, customer.id_number, customer.id_number_last4) == ("PASSPORT", "E12345678", "5678")


def test_every_new_profile_has_one_history_row_with_the_reason_import_and_the_user(admin_user):
    load(row(), row(customer_no="C2", full_name="张伟"), changed_by=admin_user)
    history = Customer.history.filter(customer_no__in=["C1", "C2"])
    assert sorted((h.customer_no, h.history_type, h.history_change_reason, h.history_user) for h in history) == [
        ("C1", "+", "import", admin_user), ("C2", "+", "import", admin_user)]


# --- upsert -------------------------------------------------------------------------------------------------


def test_loading_the_same_file_twice_leaves_every_profile_unchanged_and_adds_no_history():
    lines = [row(id_number=ID, mobile="13812345678", marketing_consent="yes"), row(customer_no="C2", gender="M")]
    load(*lines)
    history_rows, consents = Customer.history.count(), ConsentRecord.objects.count()
    assert counts(load(*lines)) == (2, 0, 0, 2, 0)
    assert (Customer.history.count(), ConsentRecord.objects.count()) == (history_rows, consents)


def test_a_changed_field_updates_the_profile_with_a_history_row_and_the_others_stay_unchanged(admin_user):
    load(row(mobile="13812345678"), row(customer_no="C2"))
    result = load(row(mobile="13912345678"), row(customer_no="C2"), changed_by=admin_user)
    assert counts(result) == (2, 0, 1, 1, 0)
    assert Customer.objects.get(customer_no="C1").mobile == "+8613912345678"
    newest = Customer.history.filter(customer_no="C1").latest("history_date")
    assert (newest.history_type, newest.history_change_reason, newest.history_user) == ("~", "import", admin_user)
    assert newest.mobile == "+8613912345678"
    assert Customer.history.filter(customer_no="C2").count() == 1


def test_an_update_keeps_the_fields_the_file_does_not_give_and_the_history_row_shows_them():
    customer = CustomerFactory(customer_no="C1", home_branch__code="SH001", email="old@example.com",
                               service_notes="听力不好")
    result = load(row(full_name="欧阳娜娜", email=""))
    assert counts(result) == (1, 0, 1, 0, 0)
    customer.refresh_from_db()
    assert (customer.full_name, customer.name_pinyin) == ("欧阳娜娜", "ouyangnana")
    assert (customer.email, customer.service_notes) == ("old@example.com", "听力不好")
    newest = customer.history.latest("history_date")
    assert (newest.full_name, newest.email, newest.created_at) == ("欧阳娜娜", "old@example.com", customer.created_at)


def test_a_new_id_number_replaces_the_hmac_and_last_four():
    load(row(id_number=ID))
    other = resident_id(BORN, sequence=456)
    assert counts(load(row(id_number=other))) == (1, 0, 1, 0, 0)
    customer = Customer.objects.get(customer_no="C1")
    assert (customer.id_number, customer.id_number_hmac, customer.id_number_last4) == (
        other, pii.lookup_hmac(other), other[-4:])


# --- rejects ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cells", "reason"), [
    ({"customer_no": ""}, "customer_no is required."),
    ({"full_name": ""}, "full_name is required."),
    ({"home_branch": ""}, "home_branch is required."),
    ({"id_number": wrong_check_digit(ID)}, "id_number: The check digit of this resident ID number is wrong."),
    ({"id_number": ID, "date_of_birth": "1985-06-16"},
     "id_number: The birth date in the ID number (1985-06-15) differs from the date of birth (1985-06-16)."),
    ({"mobile": "12345"}, "mobile: 12345 is not a valid phone number."),
    ({"email": "nana.example.com"}, "email: this is not an email address."),
    ({"home_branch": "XX999"}, "home_branch: no branch has the code 'XX999'."),
    ({"gender": "X"}, "gender: 'X' is not one of M, F, U."),
    ({"id_type": "DRIVING_LICENCE"}, "id_type: 'DRIVING_LICENCE' is not one of RESIDENT_ID, PASSPORT, "
                                     "HK_MACAO_PERMIT, TAIWAN_PERMIT, FOREIGN_PR, OTHER."),
    ({"segment": "VIP"}, "segment: 'VIP' is not one of MASS, AFFLUENT, PRIVATE, SMALL_BUSINESS."),
    ({"preferred_channel": "FAX"}, "preferred_channel: 'FAX' is not one of SMS, EMAIL, APP, PHONE, POST."),
    ({"preferred_language": "fr"}, "preferred_language: 'fr' is not one of zh-hans, en."),
    ({"marketing_consent": "maybe"}, "marketing_consent: 'maybe' is not one of yes, no."),
    ({"date_of_birth": "15/06/1985"}, "date_of_birth: '15/06/1985' is not a date written YYYY-MM-DD."),
    ({"date_of_birth": "1985-02-30"}, "date_of_birth: '1985-02-30' is not a date written YYYY-MM-DD."),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth: The date of birth is in the future."),
    ({"full_name": "张" * 101}, "full_name is longer than 100 characters."),
])
def test_a_bad_value_rejects_the_row_with_its_reason_and_the_good_rows_load(cells, reason):
    result = load(row(customer_no="C0"), row(**cells))
    assert counts(result) == (2, 1, 0, 0, 1)
    assert result.rejects[0].row == 3
    assert reason in result.rejects[0].reasons
    assert Customer.objects.filter(customer_no="C1").exists() is False
    assert Customer.history.filter(customer_no="C1").exists() is False


def test_a_row_with_several_problems_is_rejected_with_every_reason():
    result = load(row(home_branch="XX999", gender="X", id_number=wrong_check_digit(ID), mobile="12345",
                      email="nope", marketing_consent="maybe"))
    assert counts(result) == (1, 0, 0, 0, 1)
    assert len(reasons(result)) == 6


def test_a_birth_date_for_a_stored_resident_id_is_checked_against_it():
    load(row(id_number=ID))
    result = load(row(date_of_birth="1990-01-01"))
    assert counts(result) == (1, 0, 0, 0, 1)
    assert "differs from the date of birth (1990-01-01)" in reasons(result)[0]
    assert Customer.objects.get(customer_no="C1").date_of_birth == BORN


def test_the_report_masks_identifiers_of_rejected_rows():
    result = load(row(id_number=wrong_check_digit(ID), mobile="13812345678", email="nana@example.com",
                      home_branch="XX"))
    shown = masked_values(result.rejects[0], SPEC)
    assert (shown["id_number"], shown["mobile"], shown["email"]) == (
        "****" + wrong_check_digit(ID)[-4:], "138****5678", "n***@example.com")


# --- consent ------------------------------------------------------------------------------------------------


def current_consent(customer_no: str) -> dict[str, bool]:
    records = ConsentRecord.objects.filter(customer__customer_no=customer_no).order_by("channel", "-at", "-id")
    return {r.channel: r.granted for r in records.distinct("channel")}


def test_marketing_consent_yes_grants_every_channel_with_source_import(admin_user):
    load(row(marketing_consent="YES"), changed_by=admin_user)
    assert current_consent("C1") == dict.fromkeys(ContactChannel.values, True)
    assert set(ConsentRecord.objects.values_list("source", "recorded_by")) == {(ConsentSource.IMPORT, admin_user.pk)}


def test_marketing_consent_no_revokes_every_channel_and_counts_as_an_update():
    load(row(marketing_consent="yes"))
    result = load(row(marketing_consent="no"))
    assert counts(result) == (1, 0, 1, 0, 0)
    assert current_consent("C1") == dict.fromkeys(ContactChannel.values, False)
    assert ConsentRecord.objects.count() == 10  # the history of consent is kept


def test_empty_marketing_consent_leaves_consent_as_it_is():
    load(row(marketing_consent="yes"))
    result = load(row(marketing_consent=""))
    assert counts(result) == (1, 0, 0, 1, 0)
    assert ConsentRecord.objects.count() == 5


def test_consent_is_only_recorded_for_the_channels_whose_answer_differs(teller):
    customer = CustomerFactory(customer_no="C1", home_branch__code="SH001")
    ConsentRecord.objects.create(customer=customer, channel="SMS", granted=True, source="counter", recorded_by=teller)
    load(row(marketing_consent="yes"))
    assert ConsentRecord.objects.filter(customer=customer).count() == 5
    assert current_consent("C1") == dict.fromkeys(ContactChannel.values, True)
