"""The access log as the database keeps it: append-only, one row per look within a few minutes (issue 11 §4)."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from customers import services
from customers.models import AccessAction, AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(branch):
    return CustomerFactory(home_branch=branch, full_name="李娜")


def _view(customer, user, via=AccessVia.PAGE):
    return services.customer_access_record(customer=customer, user=user, via=via, ip_address="10.1.2.3")


def test_the_database_refuses_to_update_an_access_row(customer, teller, manager):
    row = CustomerAccessLog.objects.create(customer=customer, user=teller, via=AccessVia.PAGE)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        CustomerAccessLog.objects.filter(pk=row.pk).update(user=manager, at=timezone.now() - dt.timedelta(days=9))
    row.refresh_from_db()
    assert row.user == teller


def test_the_database_refuses_to_delete_an_access_row_even_in_raw_sql(customer, teller):
    row = CustomerAccessLog.objects.create(customer=customer, user=teller, via=AccessVia.PAGE)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM customers_customeraccesslog WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        CustomerAccessLog.objects.filter(pk=row.pk).delete()
    assert CustomerAccessLog.objects.filter(pk=row.pk).exists()


def test_views_within_the_window_are_one_row_per_staff_member_customer_and_entry_point(customer, teller, manager):
    other = CustomerFactory(home_branch=customer.home_branch)
    assert _view(customer, teller) == 1
    assert _view(customer, teller) == 0
    assert _view(customer, teller, AccessVia.API) == 1  # another entry point
    assert _view(customer, manager) == 1  # another member of staff
    assert _view(other, teller) == 1  # another customer
    rows = CustomerAccessLog.objects.values_list("customer_id", "user_id", "via")
    assert sorted(rows) == sorted([(customer.pk, teller.pk, "page"), (customer.pk, teller.pk, "api"),
                                   (customer.pk, manager.pk, "page"), (other.pk, teller.pk, "page")])
    assert set(CustomerAccessLog.objects.values_list("ip_address", flat=True)) == {"10.1.2.3"}


def test_a_view_after_the_window_is_a_new_row(customer, teller, settings):
    settings.ACCESS_LOG_DEDUP_MINUTES = 5
    CustomerAccessLog.objects.create(customer=customer, user=teller, via=AccessVia.PAGE,
                                     at=timezone.now() - dt.timedelta(minutes=6))
    assert _view(customer, teller) == 1
    assert CustomerAccessLog.objects.filter(customer=customer).count() == 2


def test_a_reveal_is_never_folded_into_an_earlier_look(customer, teller):
    _view(customer, teller)
    for _ in range(2):
        services.customer_access_record(customer=customer, user=teller, via=AccessVia.PAGE,
                                        action=AccessAction.REVEAL, field="id_number", reason="核对身份")
    assert CustomerAccessLog.objects.filter(customer=customer, action=AccessAction.REVEAL).count() == 2
    assert _view(customer, teller) == 0  # a reveal is not a view: the earlier view still covers it


def test_a_list_of_customers_is_recorded_in_one_statement(branch, teller, django_assert_num_queries):
    customers = CustomerFactory.create_batch(30, home_branch=branch)
    _view(customers[0], teller)
    with django_assert_num_queries(1):
        written = services.customers_access_record(customer_ids=[c.pk for c in customers], user=teller,
                                                   via=AccessVia.PAGE)
    assert written == 29
    assert CustomerAccessLog.objects.filter(user=teller).count() == 30
