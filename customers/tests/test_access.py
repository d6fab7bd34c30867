"""The access record: who opened which profile, per customer and per staff member, filtered, as CSV."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import access
from customers.models import AccessAction, AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def opened(customer, user, days_ago=0, **fields):
    # written with its time: the log is append-only, a row cannot be back-dated afterwards
    return CustomerAccessLog.objects.create(customer=customer, user=user, via=fields.pop("via", AccessVia.PAGE),
                                            at=timezone.now() - dt.timedelta(days=days_ago), **fields)


@pytest.fixture
def ours(branch):
    return CustomerFactory(home_branch=branch, full_name="李娜", mobile="13812345678")


@pytest.fixture
def theirs(other_branch):
    return CustomerFactory(home_branch=other_branch, full_name="王芳")


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_customer_page_lists_who_opened_the_profile(client_for, admin_user, teller, manager, ours, theirs):
    opened(ours, teller)
    opened(ours, manager, via=AccessVia.API)
    opened(theirs, teller)
    response = client_for(admin_user).get(reverse("customers:access-customer", args=[ours.customer_no]))
    assert response.status_code == 200
    assert {(row.user, row.customer) for row in response.context["rows"]} == {(teller, ours), (manager, ours)}


def test_the_staff_page_lists_whose_profiles_they_opened(client_for, admin_user, teller, ours, theirs):
    opened(ours, teller)
    opened(theirs, teller)
    opened(theirs, admin_user)
    response = client_for(admin_user).get(reverse("customers:access-staff", args=[teller.pk]))
    assert {row.customer for row in response.context["rows"]} == {ours, theirs}
    assert {row.user for row in response.context["rows"]} == {teller}


def test_the_dates_filter_the_record_inclusive(client_for, admin_user, teller, ours):
    today = timezone.localdate()
    recent, _old, _older = opened(ours, teller, 1), opened(ours, teller, 10), opened(ours, teller, 30)
    client = client_for(admin_user)
    url = reverse("customers:access-customer", args=[ours.customer_no])
    response = client.get(url, {"date_from": (today - dt.timedelta(days=1)).isoformat(), "date_to": today.isoformat()})
    assert [row.pk for row in response.context["rows"]] == [recent.pk]
    response = client.get(url, {"date_to": (today - dt.timedelta(days=10)).isoformat()})
    assert len(response.context["rows"]) == 2


@pytest.mark.parametrize(("params", "message"), [
    ({"date_from": "2025-13-01"}, "Enter a valid date."),
    ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "The start date is after the end date."),
    ({"customer": "NOBODY1"}, "No customer has the number NOBODY1."),
    ({"staff": "ghost"}, "No member of staff logs in as ghost."),
])
def test_a_bad_filter_is_a_400_with_its_message(client_for, admin_user, params, message):
    for name in ("customers:access-list", "customers:access-csv"):
        response = client_for(admin_user).get(reverse(name), params)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_csv_has_the_filtered_rows_with_identifiers_masked(client_for, admin_user, teller, ours, theirs):
    opened(ours, teller, action=AccessAction.REVEAL, field="id_number", reason="=HYPERLINK(\"http://x\")")
    opened(theirs, teller, 40)
    response = client_for(admin_user).get(reverse("customers:access-csv"), {
        "date_from": (timezone.localdate() - dt.timedelta(days=7)).isoformat()})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="access-record-')
    (row,) = _csv(response)
    assert (row["customer_no"], row["staff"], row["action"]) == (ours.customer_no, "teller", "reveal")
    assert row["id_number"] == f"****{ours.id_number[-4:]}"
    assert row["reason"].startswith("'=")  # a spreadsheet shows it, never runs it
    body = row.values()
    assert ours.id_number not in body and ours.mobile not in body


def test_a_manager_reads_the_record_of_their_branchs_customers_only(client_for, manager, teller,
                                                                    other_branch_manager, ours, theirs):
    opened(ours, other_branch_manager)  # another branch's staff opening ours: on our record
    opened(theirs, teller)  # our teller opening theirs: on their record
    client = client_for(manager)
    rows = client.get(reverse("customers:access-list")).context["rows"]
    assert [(row.user, row.customer) for row in rows] == [(other_branch_manager, ours)]
    assert [r["customer_no"] for r in _csv(client.get(reverse("customers:access-csv")))] == [ours.customer_no]
    assert client.get(reverse("customers:access-customer", args=[theirs.customer_no])).status_code == 403
    assert list(client.get(reverse("customers:access-staff", args=[teller.pk])).context["rows"]) == []


def test_an_admin_reads_every_branch(client_for, admin_user, teller, other_branch_manager, ours, theirs):
    opened(ours, other_branch_manager)
    opened(theirs, teller)
    rows = client_for(admin_user).get(reverse("customers:access-list")).context["rows"]
    assert {row.customer for row in rows} == {ours, theirs}


def test_staff_opening_many_other_branch_profiles_in_a_day_are_flagged(settings, branch, other_branch, teller,
                                                                       admin_user, client_for):
    settings.ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY = 3
    others = [CustomerFactory(home_branch=other_branch, full_name=f"客户{n}") for n in range(4)]
    own = [CustomerFactory(home_branch=branch, full_name=f"本行{n}") for n in range(6)]
    for customer in others + own:
        opened(customer, teller)
    for customer in others[:3]:
        opened(customer, admin_user)  # three: not more than the threshold
    for customer in others:
        opened(customer, teller, days_ago=10)  # too long ago

    (flag,) = access.unusual_access(user=admin_user)
    assert (flag["user_id"], flag["profiles"], flag["day"]) == (teller.pk, 4, timezone.localdate())

    html = client_for(admin_user).get("/admin/").content.decode()
    assert 'id="profile-care"' in html
    assert reverse("customers:access-staff", args=[teller.pk]) in html
    settings.ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY = 4
    assert access.unusual_access(user=admin_user) == []


def test_the_access_pages_link_a_merged_profile_to_the_survivor(client_for, admin_user, branch):
    from customers import merge

    survivor = CustomerFactory(home_branch=branch, id_number="")
    merged = CustomerFactory(home_branch=branch)
    merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)
    html = client_for(admin_user).get(reverse("customers:access-customer", args=[merged.customer_no]))
    assert reverse("customers:access-customer", args=[survivor.customer_no]) in html.content.decode()
