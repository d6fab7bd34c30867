import datetime as dt

import pytest

from customers.models import AccessVia, Customer, CustomerAccessLog
from customers.tests.admin_forms import change_form_data
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db


def _form_data(client, customer, **changes):
    return change_form_data(client, f"/admin/customers/customer/{customer.pk}/change/", **changes)


def test_customer_list_shows_masked_identifiers_only(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch, mobile="13812345678")
    response = client_for(admin_user).get("/admin/customers/customer/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "138****5678" in html
    assert "+8613812345678" not in html
    assert customer.id_number not in html


def test_admin_edit_of_the_mobile_goes_through_the_service_and_keeps_history(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch, mobile="13812345678")
    url = f"/admin/customers/customer/{customer.pk}/change/"
    client = client_for(admin_user)
    response = client.post(url, _form_data(client, customer, mobile="139 8765 4321"))
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.mobile == "+8613987654321"
    newest = customer.history.first()
    assert newest.history_user == admin_user
    assert newest.mobile == "+8613987654321"
    assert newest.prev_record.mobile == "+8613812345678"


def test_admin_gets_a_field_error_for_a_bad_resident_id(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch)
    bad = resident_id(customer.date_of_birth)[:17] + ("0" if resident_id(customer.date_of_birth)[17] != "0" else "1")
    url = f"/admin/customers/customer/{customer.pk}/change/"
    client = client_for(admin_user)
    response = client.post(url, _form_data(client, customer, new_id_number=bad))
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).id_number == customer.id_number


def test_admin_can_replace_the_id_number_and_only_its_last_four_are_shown(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch, date_of_birth=dt.date(1990, 1, 2))
    new_number = resident_id(dt.date(1990, 1, 2), region="110105", sequence=456)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    client = client_for(admin_user)
    response = client.post(url, _form_data(client, customer, new_id_number=new_number.lower()))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.id_number == new_number.upper()
    page = client_for(admin_user).get(url).content.decode()
    assert new_number not in page
    assert f"****{new_number[-4:]}" in page


def test_opening_a_profile_in_the_admin_is_on_the_access_record(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch)
    client_for(admin_user).get(f"/admin/customers/customer/{customer.pk}/change/")
    log = CustomerAccessLog.objects.get(customer=customer)
    assert (log.user, log.via) == (admin_user, AccessVia.ADMIN)


def test_manager_sees_the_profile_in_the_admin_but_cannot_change_it(client_for, manager, branch):
    customer = CustomerFactory(home_branch=branch, full_name="李娜")
    client = client_for(manager)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"full_name": "王芳"})
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).full_name == "李娜"


def test_teller_has_no_admin(client_for, teller):
    response = client_for(teller).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_search_refuses_an_identifier_and_points_to_the_search_page_that_posts(client_for, admin_user,
                                                                                         branch):
    """The admin's search box is a GET: a mobile or ID number there would stay in the address and the history."""
    wanted = CustomerFactory(home_branch=branch, full_name="李娜", mobile="13812345678")
    CustomerFactory(home_branch=branch, full_name="王芳")
    client = client_for(admin_user)
    for term in ["138 1234 5678", wanted.id_number.lower()]:
        response = client.get("/admin/customers/customer/", {"q": term})
        assert list(response.context["cl"].result_list) == [], term
        assert "/search/" in response.content.decode()
    assert list(client.get("/admin/customers/customer/", {"q": "李娜"}).context["cl"].result_list) == [wanted]
    assert list(client.get("/admin/customers/customer/", {"q": wanted.customer_no}).context["cl"].result_list) == [
        wanted]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("mobile", "12345", "12345 is not a valid phone number."),
    ("email", "not-an-email", "Enter a valid email address."),
    ("date_of_birth", "2999-01-01", "The date of birth is in the future."),
    ("date_of_birth", "1850-01-01", "A date of birth before 1900 is not plausible."),
    ("id_expiry", "1970-01-01", "The ID document expires before its holder was born."),
])
def test_the_admin_form_names_each_problem_and_saves_nothing(client_for, admin_user, branch, field, value, message):
    extra = {"id_number": ""} if field == "date_of_birth" else {}  # else the ID's birth date objects first
    customer = CustomerFactory(home_branch=branch, **extra)
    client = client_for(admin_user)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    response = client.post(url, _form_data(client, customer, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    fresh = Customer.objects.get(pk=customer.pk)
    assert getattr(fresh, field) == getattr(customer, field)


def test_the_admin_search_understands_pinyin_and_initials_like_the_teller(client_for, admin_user, branch):
    wanted = CustomerFactory(home_branch=branch, full_name="欧阳娜娜")
    CustomerFactory(home_branch=branch, full_name="王芳")
    client = client_for(admin_user)
    for term in ["ouyang nana", "oynn", "欧阳"]:
        assert list(client.get("/admin/customers/customer/", {"q": term}).context["cl"].result_list) == [wanted]


def test_the_kyc_due_filter_lists_overdue_and_soon_due_reviews(client_for, admin_user, branch):
    today = dt.date.today()
    overdue = CustomerFactory(home_branch=branch, full_name="甲", kyc_review_date=today - dt.timedelta(days=3))
    flagged = CustomerFactory(home_branch=branch, full_name="乙", kyc_status="REVIEW_DUE")
    soon = CustomerFactory(home_branch=branch, full_name="丙", kyc_review_date=today + dt.timedelta(days=10))
    CustomerFactory(home_branch=branch, full_name="丁", kyc_review_date=today + dt.timedelta(days=300))
    client = client_for(admin_user)

    def listed(value):
        return set(client.get("/admin/customers/customer/", {"kyc_due": value}).context["cl"].result_list)

    assert listed("overdue") == {overdue, flagged}
    assert listed("soon") == {soon}


def test_revealing_the_id_in_the_admin_needs_a_reason_and_is_on_record(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch)
    client = client_for(admin_user)
    url = f"/admin/customers/customer/{customer.pk}/reveal-id/"
    page = client.get(url)
    assert customer.id_number not in page.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert customer.id_number not in refused.content.decode()
    assert not CustomerAccessLog.objects.filter(action="reveal").exists()

    shown = client.post(url, {"reason": "客户挂失，核对证件"})
    assert shown.status_code == 200
    assert customer.id_number in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    log = CustomerAccessLog.objects.get(action="reveal")
    assert (log.user, log.via, log.field) == (admin_user, AccessVia.ADMIN, "id_number")
    assert log.reason == "客户挂失，核对证件"


def test_a_profile_cannot_be_deleted_in_the_admin(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch)
    response = client_for(admin_user).post(f"/admin/customers/customer/{customer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()
