"""The admin's duplicates page and the merge: choose field by field, confirm, merge; bad input is a 4xx."""

import datetime as dt

import pytest

from customers.models import Customer, CustomerMerge, DuplicateDismissal
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db

BORN = dt.date(1985, 6, 15)
DUPLICATES = "/admin/customers/customer/duplicates/"
MERGE = "/admin/customers/customer/merge/"


def choices(client, a, b, **overrides):
    """What the merge form posts when the admin accepts its proposals, except `overrides`."""
    form = client.get(MERGE, {"a": a.pk, "b": b.pk}).context["form"]
    data = {"a": a.pk, "b": b.pk, "survivor": form["survivor"].initial}
    data.update({field.html_name: field.initial for field in form.field_rows()})
    return {**data, **overrides}


@pytest.fixture
def twins(branch):
    """One person twice: the older profile without an ID and an old mobile, the newer one with both."""
    older = CustomerFactory(home_branch=branch, full_name="张伟", date_of_birth=BORN, id_number="",
                            mobile="13800000001")
    newer = CustomerFactory(home_branch=branch, full_name="张伟", date_of_birth=BORN, mobile="13900000002",
                            id_number=resident_id(BORN, sequence=42))
    return older, newer


def test_the_duplicates_page_lists_the_pair_with_its_reasons_and_score(client_for, admin_user, twins):
    older, newer = twins
    html = client_for(admin_user).get(DUPLICATES).content.decode()
    assert f'data-pair="{older.customer_no} {newer.customer_no}"' in html
    assert "same name and date of birth" in html
    assert f"{MERGE}?a={older.pk}&amp;b={newer.pk}" in html
    assert newer.id_number not in html and "+8613900000002" not in html  # masked


def test_the_merge_form_offers_a_choice_per_differing_field(client_for, admin_user, twins):
    older, newer = twins
    response = client_for(admin_user).get(MERGE, {"a": older.pk, "b": newer.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.rows == ["id_document", "mobile", "email"]
    assert form["field_id_document"].initial == "b"  # only the newer one has an ID
    assert form["field_mobile"].initial == "a"
    assert newer.id_number not in response.content.decode()


def test_an_admin_chooses_confirms_and_merges(client_for, admin_user, twins):
    older, newer = twins
    client = client_for(admin_user)
    choices = {"a": older.pk, "b": newer.pk, "survivor": "a", "field_id_document": "b", "field_mobile": "b",
               "field_email": "a"}
    review = client.post(MERGE, choices)
    assert review.status_code == 200
    assert review.templates[0].name == "admin/customers/customer/merge_confirm.html"
    assert not CustomerMerge.objects.exists()  # nothing happens before the confirmation

    done = client.post(MERGE, {**choices, "confirmed": "True"})
    assert done.status_code == 302
    assert done["Location"] == f"/admin/customers/customer/{older.pk}/change/"
    older.refresh_from_db()
    assert (older.mobile, older.id_number, older.email) == ("+8613900000002", newer.id_number, older.email)
    record = CustomerMerge.objects.get()
    assert (record.survivor, record.merged, record.merged_by) == (older, newer, admin_user)
    assert Customer.objects.get(pk=newer.pk).merged_into == older


@pytest.mark.parametrize(("params", "status"), [
    ({"a": "x", "b": "1"}, 400),
    ({"a": "1"}, 400),
    ({"a": "999999", "b": "999998"}, 404),
])
def test_bad_merge_input_is_a_4xx_with_a_message(client_for, admin_user, params, status):
    response = client_for(admin_user).get(MERGE, params)
    assert response.status_code == status
    assert 'class="errornote"' in response.content.decode()


def test_a_customer_cannot_be_merged_with_itself(client_for, admin_user, twins):
    older, _newer = twins
    response = client_for(admin_user).post(MERGE, {"a": older.pk, "b": older.pk, "survivor": "a",
                                                   "confirmed": "True"})
    assert response.status_code == 400
    assert not CustomerMerge.objects.exists()


def test_merging_a_tombstone_again_is_a_conflict(client_for, admin_user, twins, branch):
    older, newer = twins
    client = client_for(admin_user)
    assert client.post(MERGE, choices(client, older, newer, confirmed="True")).status_code == 302
    third = CustomerFactory(home_branch=branch, id_number="")
    response = client.post(MERGE, {"a": third.pk, "b": newer.pk, "survivor": "a", "confirmed": "True"})
    assert response.status_code == 409
    assert "already merged" in response.content.decode()
    assert CustomerMerge.objects.count() == 1


def test_two_different_id_numbers_cannot_be_merged(client_for, admin_user, branch):
    a = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number=resident_id(BORN, sequence=1))
    b = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number=resident_id(BORN, sequence=2))
    client = client_for(admin_user)
    shown = client.get(MERGE, {"a": a.pk, "b": b.pk})
    assert shown.status_code == 409
    assert "two different ID numbers" in shown.content.decode()
    forced = client.post(MERGE, {"a": a.pk, "b": b.pk, "survivor": "a", "confirmed": "True"})
    assert forced.status_code == 409
    assert not CustomerMerge.objects.exists()


def test_a_choice_the_profile_rules_refuse_is_shown_and_nothing_is_merged(client_for, admin_user, branch):
    a = CustomerFactory(home_branch=branch, date_of_birth=BORN, id_number="")
    b = CustomerFactory(home_branch=branch, date_of_birth=dt.date(1990, 1, 1))
    client = client_for(admin_user)
    response = client.post(MERGE, choices(client, a, b, survivor="a", field_id_document="b",
                                          field_date_of_birth="a", confirmed="True"))
    assert response.status_code == 400
    assert "differs from the date of birth" in response.content.decode()
    assert not CustomerMerge.objects.exists()


def test_not_a_duplicate_takes_the_pair_off_the_list(client_for, admin_user, twins):
    older, newer = twins
    client = client_for(admin_user)
    response = client.post(f"{DUPLICATES}dismiss/", {"a": newer.pk, "b": older.pk})
    assert response.status_code == 302
    assert DuplicateDismissal.objects.get().dismissed_by == admin_user
    assert f'data-pair="{older.customer_no}' not in client.get(DUPLICATES).content.decode()


def test_a_tombstone_is_read_only_in_the_admin_and_points_to_the_survivor(client_for, admin_user, twins):
    older, newer = twins
    client = client_for(admin_user)
    client.post(MERGE, choices(client, older, newer, confirmed="True"))
    url = f"/admin/customers/customer/{newer.pk}/change/"
    page = client.get(url)
    assert f'href="/admin/customers/customer/{older.pk}/change/"' in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"full_name": "王芳"}).status_code == 403
