"""Who reaches which admin and access-record page (DESIGN §8): every role × page, in one table.

Tellers have no admin at all; managers read (their branch's profiles, access record and history) but change
nothing and merge nothing; admins do everything. The app's access-record pages follow the same rule.
"""

import pytest

from customers.models import AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory
from transactions.models import IngestBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(branch, teller):
    customer = CustomerFactory(home_branch=branch, full_name="李娜")
    twin = CustomerFactory(home_branch=branch, full_name="李娜", id_number="")
    CustomerAccessLog.objects.create(customer=customer, user=teller, via=AccessVia.PAGE)
    batch = IngestBatch.objects.create(source="api", file_name="feed.csv")
    return {"c": customer.pk, "no": customer.customer_no, "twin": twin.pk, "teller": teller.pk, "batch": batch.pk}


PAGES = {
    "admin home": ("get", "/admin/", {}),
    "customer list": ("get", "/admin/customers/customer/", {}),
    "customer search": ("get", "/admin/customers/customer/?q=lina", {}),
    "customer page": ("get", "/admin/customers/customer/{c}/change/", {}),
    "customer edit": ("post", "/admin/customers/customer/{c}/change/", {"full_name": "王芳"}),
    "customer add": ("get", "/admin/customers/customer/add/", {}),
    "customer history": ("get", "/admin/customers/customer/{c}/history/", {}),
    "reveal ID": ("get", "/admin/customers/customer/{c}/reveal-id/", {}),
    "duplicates": ("get", "/admin/customers/customer/duplicates/", {}),
    "merge form": ("get", "/admin/customers/customer/merge/?a={c}&b={twin}", {}),
    "not a duplicate": ("post", "/admin/customers/customer/duplicates/dismiss/", {"a": "{c}", "b": "{twin}"}),
    "access log (admin)": ("get", "/admin/customers/customeraccesslog/", {}),
    "merge records": ("get", "/admin/customers/customermerge/", {}),
    "batches (admin)": ("get", "/admin/transactions/ingestbatch/", {}),
    "batch (admin)": ("get", "/admin/transactions/ingestbatch/{batch}/change/", {}),
    "access record": ("get", "/access/", {}),
    "customer's access": ("get", "/access/customers/{no}/", {}),
    "staff's access": ("get", "/access/staff/{teller}/", {}),
    "access CSV": ("get", "/access/export.csv", {}),
    "profile history": ("get", "/access/customers/{no}/history/", {}),
}
LOGIN = "login"  # a redirect to the admin's login form: no admin at all

EXPECTED = {
    "teller": {**{page: LOGIN for page in PAGES if page.startswith(("admin", "customer", "reveal", "dup", "merge",
                                                                    "not", "batch"))},
               "access log (admin)": LOGIN, "access record": 403, "customer's access": 403, "staff's access": 403,
               "access CSV": 403, "profile history": 403},
    "manager": {"admin home": 200, "customer list": 200, "customer search": 200, "customer page": 200,
                "customer edit": 403, "customer add": 403, "customer history": 200, "reveal ID": 200,
                "duplicates": 403, "merge form": 403, "not a duplicate": 403, "access log (admin)": 200,
                "merge records": 403, "batches (admin)": 200, "batch (admin)": 200, "access record": 200,
                "customer's access": 200, "staff's access": 200, "access CSV": 200, "profile history": 200},
    # another branch's manager: the customer is not theirs to read
    "other_branch_manager": {"customer page": 302, "customer history": 404, "reveal ID": 404,
                             "customer's access": 403, "profile history": 403, "access record": 200},
    "admin_user": {**dict.fromkeys(PAGES, 200), "not a duplicate": 302},
}


def _cases():
    return [(persona, page) for persona, pages in EXPECTED.items() for page in pages]


@pytest.mark.parametrize(("persona", "page"), _cases())
def test_each_role_reaches_exactly_the_admin_pages_it_may(request, client_for, world, persona, page):
    method, url, data = PAGES[page]
    client = client_for(request.getfixturevalue(persona))
    response = getattr(client, method)(url.format(**world), {k: v.format(**world) for k, v in data.items()})
    expected = EXPECTED[persona][page]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected, response.content.decode()[:500]


def test_the_teller_table_covers_every_page():
    assert set(EXPECTED["teller"]) == set(PAGES)
    assert set(EXPECTED["manager"]) == set(PAGES)
    assert set(EXPECTED["admin_user"]) == set(PAGES)


def test_a_manager_sees_a_profile_read_only_with_contact_details_masked(client_for, manager, branch):
    customer = CustomerFactory(home_branch=branch, mobile="13812345678", email="lina@example.com")
    html = client_for(manager).get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()
    assert "138****5678" in html and "l***@example.com" in html
    assert "+8613812345678" not in html and "lina@example.com" not in html
    assert 'name="_save"' not in html


def test_a_manager_lists_only_their_branchs_customers_in_the_admin(client_for, manager, branch, other_branch):
    ours = CustomerFactory(home_branch=branch, full_name="李娜")
    CustomerFactory(home_branch=other_branch, full_name="王芳")
    response = client_for(manager).get("/admin/customers/customer/")
    assert list(response.context["cl"].result_list) == [ours]


def test_the_batch_admin_links_to_the_batch_page(client_for, admin_user):
    batch = IngestBatch.objects.create(source="api", file_name="feed.csv")
    html = client_for(admin_user).get(f"/admin/transactions/ingestbatch/{batch.pk}/change/").content.decode()
    assert f'href="/transactions/batches/{batch.pk}/"' in html
