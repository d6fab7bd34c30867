"""customers.services: the one way in for writes to a customer profile."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from crm_site import pii
from customers import services
from customers.models import Customer, IdType
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db

BORN = dt.date(1985, 6, 15)


def create(branch, **fields):
    defaults = {"customer_no": "C000000001", "full_name": "欧阳娜娜", "home_branch": branch}
    return services.customer_create(**{**defaults, **fields})


# --- customer_create ------------------------------------------------------------------------


def test_creating_a_customer_derives_the_pinyin_and_initials_of_the_name(branch):
    customer = create(branch, full_name=" 欧阳娜娜 ")
    customer.refresh_from_db()
    assert customer.full_name == "欧阳娜娜"
    assert (customer.name_pinyin, customer.name_initials) == ("ouyangnana", "oynn")


def test_creating_a_customer_fills_the_date_of_birth_from_the_resident_id(branch):
    customer = create(branch, id_number=resident_id(BORN))
    customer.refresh_from_db()
    assert customer.date_of_birth == BORN


def test_creating_a_customer_keeps_the_id_number_hmac_and_last_four_in_step(branch):
    number = resident_id(BORN)
    customer = create(branch, id_number=number.lower())
    customer.refresh_from_db()
    assert customer.id_number == number
    assert customer.id_number_hmac == pii.lookup_hmac(number)
    assert customer.id_number_last4 == number[-4:]


def test_creating_a_customer_normalises_the_mobile(branch):
    customer = create(branch, mobile="138-1234-5678")
    assert Customer.objects.get(pk=customer.pk).mobile == "+8613812345678"


def test_a_resident_id_that_disagrees_with_the_date_of_birth_is_refused_by_field(branch):
    with pytest.raises(ValidationError) as exc_info:
        create(branch, id_number=resident_id(BORN), date_of_birth=dt.date(1990, 1, 1))
    assert set(exc_info.value.message_dict) == {"id_number"}
    assert "differs from the date of birth" in exc_info.value.message_dict["id_number"][0]
    assert not Customer.objects.exists()


def test_every_bad_field_is_reported_at_once(branch):
    with pytest.raises(ValidationError) as exc_info:
        create(branch, full_name="  ", mobile="12345", id_number="1234")
    assert set(exc_info.value.message_dict) == {"full_name", "mobile", "id_number"}
    assert not Customer.objects.exists()


def test_a_passport_number_is_not_checked_as_a_resident_id(branch):
    customer = create(branch, id_type=IdType.PASSPORT, id_number="e 1234 5678")
    customer.refresh_from_db()
    assert customer.id_number == "E12345678"
    assert customer.date_of_birth is None


def test_a_date_of_birth_in_the_future_is_refused(branch):
    with pytest.raises(ValidationError) as exc_info:
        create(branch, date_of_birth=dt.date.today() + dt.timedelta(days=1))
    assert set(exc_info.value.message_dict) == {"date_of_birth"}


def test_creating_a_customer_records_who_created_it(branch, teller):
    customer = create(branch, changed_by=teller)
    (record,) = customer.history.all()
    assert record.history_type == "+"
    assert record.history_user == teller


# --- customer_update ------------------------------------------------------------------------


def test_updating_a_customer_keeps_a_history_row_with_the_staff_member(teller):
    customer = CustomerFactory(email="old@example.com")
    changed = services.customer_update(customer=customer, changed_by=teller, data={"email": "new@example.com"},
                                       change_reason="customer asked at the counter")
    assert changed == ["email"]
    latest = customer.history.first()
    assert customer.history.count() == 2
    assert (latest.history_type, latest.email, latest.history_user) == ("~", "new@example.com", teller)
    assert latest.history_change_reason == "customer asked at the counter"
    assert latest.prev_record.email == "old@example.com"


def test_updating_with_the_same_values_changes_nothing_and_adds_no_history(teller):
    customer = CustomerFactory(mobile="+8613812345678", email="same@example.com")
    changed = services.customer_update(customer=customer, changed_by=teller,
                                       data={"mobile": "138 1234 5678", "email": "same@example.com"})
    assert changed == []
    assert customer.history.count() == 1


def test_updating_writes_only_the_changed_fields_so_a_concurrent_edit_survives(teller, manager):
    customer = CustomerFactory(email="old@example.com", occupation="教师")
    stale_copy = Customer.objects.get(pk=customer.pk)
    services.customer_update(customer=customer, changed_by=manager, data={"occupation": "医生"})
    services.customer_update(customer=stale_copy, changed_by=teller, data={"email": "new@example.com"})
    customer.refresh_from_db()
    assert (customer.email, customer.occupation) == ("new@example.com", "医生")


def test_a_stale_copy_records_only_its_own_change_in_the_history(teller, manager):
    customer = CustomerFactory(email="old@example.com", occupation="教师")
    stale_copy = Customer.objects.get(pk=customer.pk)
    services.customer_update(customer=customer, changed_by=manager, data={"occupation": "医生"})
    changed = services.customer_update(customer=stale_copy, changed_by=teller, data={"email": "new@example.com"})
    assert changed == ["email"]
    latest = customer.history.first()
    assert (latest.history_user, latest.email, latest.occupation) == (teller, "new@example.com", "医生")
    delta = latest.diff_against(latest.prev_record)
    assert [change.field for change in delta.changes] == ["email"]
    assert (stale_copy.email, stale_copy.occupation) == ("new@example.com", "医生")


def test_two_concurrent_edits_of_one_profile_both_survive_and_the_history_shows_each_once(
        transactional_db, teller, manager):
    import threading

    from django.db import connection

    customer = CustomerFactory(email="old@example.com", occupation="教师")
    copies = [Customer.objects.get(pk=customer.pk), Customer.objects.get(pk=customer.pk)]
    edits = [(manager, {"occupation": "医生"}), (teller, {"email": "new@example.com"})]
    barrier, failures = threading.Barrier(2), []

    def edit(copy, user, data):
        try:
            barrier.wait()
            services.customer_update(customer=copy, changed_by=user, data=data)
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(copy, *e)) for copy, e in zip(copies, edits, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    customer.refresh_from_db()
    assert (customer.email, customer.occupation) == ("new@example.com", "医生")
    changes = []
    for record in customer.history.order_by("history_id")[1:]:
        changes += [change.field for change in record.diff_against(record.prev_record).changes]
    assert sorted(changes) == ["email", "occupation"]


def test_renaming_a_customer_refreshes_the_search_keys(teller):
    customer = CustomerFactory(full_name="张伟")
    changed = services.customer_update(customer=customer, changed_by=teller, data={"full_name": "欧阳娜娜"})
    assert set(changed) == {"full_name", "name_pinyin", "name_initials"}
    customer.refresh_from_db()
    assert (customer.name_pinyin, customer.name_initials) == ("ouyangnana", "oynn")


def test_changing_the_id_number_changes_its_hmac_and_last_four(admin_user):
    customer = CustomerFactory(date_of_birth=BORN)
    new_number = resident_id(BORN, sequence=777)
    changed = services.customer_update(customer=customer, changed_by=admin_user, data={"id_number": new_number})
    assert set(changed) == {"id_number", "id_number_hmac", "id_number_last4"}
    customer.refresh_from_db()
    assert customer.id_number == new_number
    assert customer.id_number_hmac == pii.lookup_hmac(new_number)
    assert customer.id_number_last4 == new_number[-4:]


def test_an_invalid_update_is_refused_and_nothing_is_written(teller):
    customer = CustomerFactory(mobile="+8613812345678")
    with pytest.raises(ValidationError) as exc_info:
        services.customer_update(customer=customer, changed_by=teller, data={"mobile": "12345"})
    assert set(exc_info.value.message_dict) == {"mobile"}
    assert Customer.objects.get(pk=customer.pk).mobile == "+8613812345678"
    assert customer.history.count() == 1


def test_a_new_passport_number_is_not_checked_as_a_resident_id(teller):
    customer = CustomerFactory(id_type=IdType.PASSPORT, id_number="E12345678", date_of_birth=BORN)
    changed = services.customer_update(customer=customer, changed_by=teller, data={"id_number": "e 8765 4321"})
    assert "id_number" in changed
    customer.refresh_from_db()
    assert (customer.id_type, customer.id_number, customer.date_of_birth) == (IdType.PASSPORT, "E87654321", BORN)


def test_a_new_resident_id_that_disagrees_with_the_stored_date_of_birth_is_refused(admin_user):
    customer = CustomerFactory(date_of_birth=BORN)
    with pytest.raises(ValidationError) as exc_info:
        services.customer_update(customer=customer, changed_by=admin_user,
                                 data={"id_number": resident_id(dt.date(1990, 1, 1))})
    assert set(exc_info.value.message_dict) == {"id_number"}
    customer.refresh_from_db()
    assert customer.date_of_birth == BORN


def test_a_new_date_of_birth_that_disagrees_with_the_stored_resident_id_is_refused(admin_user):
    customer = CustomerFactory(date_of_birth=BORN)
    with pytest.raises(ValidationError) as exc_info:
        services.customer_update(customer=customer, changed_by=admin_user,
                                 data={"date_of_birth": dt.date(1990, 1, 1)})
    assert set(exc_info.value.message_dict) == {"id_number"}
    customer.refresh_from_db()
    assert customer.date_of_birth == BORN
