import datetime as dt

import pytest

from customers.models import AccessVia, Customer, CustomerAccessLog
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db


def _form_data(customer, **changes):
    data = {
        "customer_no": customer.customer_no, "full_name": customer.full_name, "gender": customer.gender,
        "date_of_birth": customer.date_of_birth.isoformat(), "id_type": customer.id_type, "new_id_number": "",
        "id_expiry": "", "mobile": customer.mobile, "email": customer.email, "address": "", "city": "",
        "occupation": "", "employer": "", "income_band": "", "home_branch": customer.home_branch_id,
        "relationship_manager": "", "segment": customer.segment, "status": customer.status,
        "kyc_status": customer.kyc_status, "kyc_review_date": "", "risk_rating": customer.risk_rating,
        "preferred_name": "", "salutation": "", "preferred_language": customer.preferred_language,
        "preferred_contact_channel": "", "preferred_contact_time": customer.preferred_contact_time,
        "service_notes": "", "consents-TOTAL_FORMS": "0", "consents-INITIAL_FORMS": "0",
        "interactions-TOTAL_FORMS": "0", "interactions-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


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
    response = client_for(admin_user).post(url, _form_data(customer, mobile="139 8765 4321"))
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
    response = client_for(admin_user).post(url, _form_data(customer, new_id_number=bad))
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).id_number == customer.id_number


def test_admin_can_replace_the_id_number_and_only_its_last_four_are_shown(client_for, admin_user, branch):
    customer = CustomerFactory(home_branch=branch, date_of_birth=dt.date(1990, 1, 2))
    new_number = resident_id(dt.date(1990, 1, 2), region="110105", sequence=456)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    response = client_for(admin_user).post(url, _form_data(customer, new_id_number=new_number.lower()))
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
    response = client.post(url, _form_data(customer, full_name="王芳"))
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).full_name == "李娜"


def test_teller_has_no_admin(client_for, teller):
    response = client_for(teller).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_search_finds_a_customer_by_mobile_or_id_number_through_the_one_box_search(client_for, admin_user,
                                                                                           branch):
    wanted = CustomerFactory(home_branch=branch, full_name="李娜", mobile="13812345678")
    CustomerFactory(home_branch=branch, full_name="王芳")
    client = client_for(admin_user)
    for term in ["138 1234 5678", wanted.id_number.lower()]:
        response = client.get("/admin/customers/customer/", {"q": term})
        assert list(response.context["cl"].result_list) == [wanted], term
