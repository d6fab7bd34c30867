"""Profile history: the same who / when / via / old → new whichever entry point made the change."""

import io

import pytest
from django.db import connection
from django.urls import reverse

from crm_site.display import user_display_name
from customers import merge
from customers.history import customer_history
from customers.imports import customers_import
from customers.models import Customer
from customers.tests.admin_forms import change_form_data
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db

OLD, NEW = "+8613812345678", "+8613987654321"


@pytest.fixture
def customer(branch):
    return CustomerFactory(home_branch=branch, full_name="李娜", mobile=OLD)


def change_in_admin(client_for, admin_user, customer):
    client = client_for(admin_user)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    response = client.post(url, change_form_data(client, url, mobile=NEW))
    assert response.status_code == 302


def change_on_the_teller_page(client_for, teller, customer):
    url = reverse("teller:contact-update", kwargs={"customer_no": customer.customer_no})
    response = client_for(teller).post(url, {"mobile": NEW, "preferred_language": "zh-hans",
                                             "preferred_contact_time": "ANY"})
    assert response.status_code == 302


def change_through_the_api(api_client, teller, customer):
    api_client.force_authenticate(teller)
    response = api_client.patch(f"/api/v1/customers/{customer.customer_no}/contact/", {"mobile": NEW}, format="json")
    assert response.status_code == 200


def change_by_import(admin_user, customer):
    feed = f"customer_no,full_name,home_branch,mobile\n{customer.customer_no},李娜,SH001,{NEW}\n"
    result = customers_import(file=io.BytesIO(feed.encode()), changed_by=admin_user)
    assert result.updated == 1


@pytest.mark.parametrize(("entry_point", "via", "author"), [
    # the entry point by its name, never the stored code
    ("admin", "Administration", "admin_user"),
    ("teller page", "Teller page", "teller"),
    ("API", "API", "teller"),
    ("import", "File import", "admin_user"),
])
def test_a_change_from_each_entry_point_is_in_the_history_with_its_diff(
        request, client_for, api_client, admin_user, teller, customer, entry_point, via, author):
    if entry_point == "admin":
        change_in_admin(client_for, admin_user, customer)
    elif entry_point == "teller page":
        change_on_the_teller_page(client_for, teller, customer)
    elif entry_point == "API":
        change_through_the_api(api_client, teller, customer)
    else:
        change_by_import(admin_user, customer)

    newest = customer_history(customer=customer, user=admin_user)[0]
    user = request.getfixturevalue(author)
    assert (newest.via, newest.user_id) == (via, user.pk)
    assert [(c.field, c.old, c.new) for c in newest.changes] == [("mobile", OLD, NEW)]


def test_a_merge_is_in_the_history_of_both_profiles(branch, admin_user):
    survivor = CustomerFactory(home_branch=branch, mobile=OLD, id_number="")
    merged = CustomerFactory(home_branch=branch, mobile=NEW)
    merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user, field_choices={"mobile": "merged"})
    (on_survivor,) = customer_history(customer=survivor, user=admin_user)[:1]
    assert on_survivor.via == "Merge of duplicates"
    assert ("mobile", OLD, NEW) in [(c.field, c.old, c.new) for c in on_survivor.changes]
    on_merged = customer_history(customer=merged, user=admin_user)[0]
    assert on_merged.via == "Merge of duplicates"
    assert {c.field: c.new for c in on_merged.changes}["merged_into"] == survivor.customer_no


def test_the_id_number_shows_only_its_last_four_in_the_history(client_for, admin_user, customer):
    new_number = resident_id(customer.date_of_birth, region="110105", sequence=456)
    client = client_for(admin_user)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    client.post(url, change_form_data(client, url, new_id_number=new_number))
    assert Customer.objects.get(pk=customer.pk).id_number == new_number

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM customers_customer WHERE id = %s", [customer.pk])
        (ciphertext,) = cursor.fetchone()
    (change,) = customer_history(customer=customer, user=admin_user)[0].changes
    assert (change.field, change.old, change.new) == ("id_number", f"****{customer.id_number[-4:]}",
                                                      f"****{new_number[-4:]}")
    for page in (f"/admin/customers/customer/{customer.pk}/history/",
                 reverse("customers:history", kwargs={"customer_no": customer.customer_no})):
        html = client.get(page).content.decode()
        assert f"****{new_number[-4:]}" in html
        assert new_number not in html
        assert customer.id_number not in html
        assert ciphertext not in html


def test_a_manager_reads_the_history_of_their_branch_with_contact_details_masked(client_for, admin_user, manager,
                                                                                 customer):
    change_in_admin(client_for, admin_user, customer)
    (change,) = customer_history(customer=customer, user=manager)[0].changes
    assert (change.old, change.new) == ("138****5678", "139****4321")
    html = client_for(manager).get(reverse("customers:history", kwargs={"customer_no": customer.customer_no}))
    assert "139****4321" in html.content.decode()
    assert NEW not in html.content.decode()


def test_the_history_of_another_branchs_customer_is_not_for_a_manager(client_for, other_branch_manager, customer):
    url = reverse("customers:history", kwargs={"customer_no": customer.customer_no})
    assert client_for(other_branch_manager).get(url).status_code == 403


def test_the_admin_history_page_shows_who_when_via_and_the_diff(client_for, admin_user, customer):
    change_in_admin(client_for, admin_user, customer)
    response = client_for(admin_user).get(f"/admin/customers/customer/{customer.pk}/history/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="mobile"' in html
    assert OLD in html and NEW in html
    assert "<td>Administration</td>" in html  # via
    assert f"<td>{user_display_name(admin_user)}</td>" in html  # who


def test_there_is_no_revert_to_an_old_version_in_the_admin(client_for, admin_user, customer):
    change_in_admin(client_for, admin_user, customer)
    old = customer.history.last()
    client = client_for(admin_user)
    response = client.post(f"/admin/customers/customer/{customer.pk}/history/{old.history_id}/", {"mobile": OLD})
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).mobile == NEW


def test_a_teller_cannot_change_identity_on_the_page_or_through_the_api(client_for, api_client, teller, customer):
    url = reverse("teller:contact-update", kwargs={"customer_no": customer.customer_no})
    client_for(teller).post(url, {"full_name": "王芳", "date_of_birth": "1990-01-01", "id_number": "X",
                                  "preferred_language": "zh-hans", "preferred_contact_time": "ANY"})
    api_client.force_authenticate(teller)
    response = api_client.patch(f"/api/v1/customers/{customer.customer_no}/contact/",
                                {"full_name": "王芳", "id_number": resident_id(customer.date_of_birth, sequence=9)},
                                format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"full_name", "id_number"}
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.full_name, fresh.id_number, fresh.date_of_birth) == (customer.full_name, customer.id_number,
                                                                       customer.date_of_birth)
