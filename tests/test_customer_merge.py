"""Merging duplicates across every floor: every row pointing at the merged profile moves, its number redirects."""

import datetime as dt

import pytest
from django.urls import reverse

from campaigns.models import CampaignRecipient
from campaigns.tests.factories import CampaignFactory
from customers import merge
from customers.models import AccessVia, ConsentRecord, ConsentSource, Customer, CustomerAccessLog, Interaction
from customers.search import customers_search
from scoring.models import CustomerScore
from scoring.tests.factories import CustomerScoreFactory
from teller.tests.builders import customer_with_holdings

pytestmark = pytest.mark.django_db

BORN = dt.date(1975, 8, 9)


def _rows(customer) -> dict[str, int]:
    """How many rows of every relation pointing at Customer belong to this customer (any floor, any new one)."""
    return {plan.label: plan.model._base_manager.filter(**{plan.field.name: customer}).count()
            for plan in merge.merge_plan() if plan.strategy is not merge.Strategy.KEEP}


@pytest.fixture
def duplicates(branch, teller):
    """The same person twice: the survivor with an account and a score; the duplicate with everything."""
    survivor = customer_with_holdings(branch=branch, accounts=1, cards=0, transactions=3, full_name="欧阳娜娜",
                                      date_of_birth=BORN, id_number="").customer
    holder = customer_with_holdings(branch=branch, accounts=2, cards=2, transactions=12, full_name="欧阳娜娜",
                                    date_of_birth=BORN)
    merged = holder.customer
    for n in range(2):
        Interaction.objects.create(customer=merged, staff=teller, text=f"note {n}")
    ConsentRecord.objects.create(customer=merged, channel="SMS", granted=True, source=ConsentSource.COUNTER)
    for _ in range(3):
        CustomerAccessLog.objects.create(customer=merged, user=teller, via=AccessVia.PAGE)
    both, only_merged = CampaignFactory(), CampaignFactory()
    CampaignRecipient.objects.create(campaign=both, customer=survivor)
    CampaignRecipient.objects.create(campaign=both, customer=merged)  # the same campaign: cannot move
    CampaignRecipient.objects.create(campaign=only_merged, customer=merged)
    CustomerScoreFactory(customer=survivor)
    CustomerScoreFactory(customer=merged, tier="AA")
    return survivor, merged


def test_a_merge_moves_every_related_row_and_counts_them(duplicates, admin_user):
    survivor, merged = duplicates
    before = {"survivor": _rows(survivor), "merged": _rows(merged)}
    assert before["merged"]["accounts.account.customer"] == 2
    assert before["merged"]["transactions.transaction.customer"] == 12

    record = merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)

    after = {"survivor": _rows(survivor), "merged": _rows(merged)}
    kept = {"campaigns.campaignrecipient.customer": 1}
    not_moved_rows = {"scoring.customerscore.customer",  # derived: deleted, the survivor's is recomputed
                      "customers.customer.merged_into"}  # the merged profile itself now points to the survivor
    for label, count in before["merged"].items():
        if label in not_moved_rows:
            continue
        assert after["merged"][label] == kept.get(label, 0), label
        assert after["survivor"][label] == before["survivor"][label] + count - kept.get(label, 0), label
    assert record.moved == {
        "accounts.account.customer": 2, "accounts.card.customer": 2, "transactions.transaction.customer": 12,
        "customers.interaction.customer": 2, "customers.consentrecord.customer": 1,
        "campaigns.campaignrecipient.customer": 1,
    }
    # the access record is append-only: its rows stay on the tombstone, where the survivor's record reads them
    assert CustomerAccessLog.objects.filter(customer=merged).count() == 3
    assert record.kept == kept
    assert record.deleted == {"scoring.customerscore.customer": 1}
    assert list(CustomerScore.objects.values_list("customer_id", flat=True)) == [survivor.pk]
    assert list(survivor.merged_records.all()) == [merged]


def test_the_merged_customer_number_leads_to_the_survivor(duplicates, admin_user, client_for, teller, api_client):
    survivor, merged = duplicates
    merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)
    client = client_for(teller)

    page = client.get(reverse("teller:customer", kwargs={"customer_no": merged.customer_no}))
    assert page.status_code == 302
    assert page["Location"] == reverse("teller:customer", kwargs={"customer_no": survivor.customer_no})

    api_client.force_authenticate(teller)
    api = api_client.get(f"/api/v1/customers/{merged.customer_no}/")
    assert api.status_code == 301
    assert api["Location"] == f"/api/v1/customers/{survivor.customer_no}/"
    assert api.json()["merged_into"] == survivor.customer_no

    write = api_client.post(f"/api/v1/customers/{merged.customer_no}/interactions/", {"text": "hi"}, format="json")
    assert write.status_code == 409
    assert survivor.customer_no in write.json()["detail"]
    assert not Interaction.objects.filter(customer=merged, text="hi").exists()


def test_a_tombstone_is_found_by_no_search(duplicates, admin_user):
    survivor, merged = duplicates
    id_number = merged.id_number
    merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user,
                          field_choices={"id_document": "merged"})
    for query in ["欧阳娜娜", "ouyangnana", id_number, merged.customer_no, merged.mobile]:
        found = customers_search(query=query).customers
        assert merged not in found, query
    assert customers_search(query=id_number).customers == [survivor]
    assert Customer.objects.get(pk=merged.pk).merged_into_id == survivor.pk


def test_the_survivors_360_shows_the_moved_accounts(duplicates, admin_user, client_for, teller):
    survivor, merged = duplicates
    account_nos = set(merged.accounts.values_list("account_no", flat=True))
    merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)
    response = client_for(teller).get(reverse("teller:customer", kwargs={"customer_no": survivor.customer_no}))
    shown = {account.account_no for group in response.context["holdings"].groups.values() for account in group}
    assert account_nos <= shown


def test_an_unrelated_customer_keeps_its_rows(duplicates, admin_user, branch):
    survivor, merged = duplicates
    bystander = customer_with_holdings(branch=branch, accounts=1, cards=1, transactions=4,
                                       full_name="李雷", date_of_birth=dt.date(1990, 2, 3)).customer
    before = _rows(bystander)
    merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)
    assert _rows(bystander) == before
    assert Customer.objects.get(pk=bystander.pk).merged_into_id is None


def test_a_merge_asks_the_scoring_floor_to_rescore_the_survivor(duplicates, admin_user, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    survivor, merged = duplicates
    sent = []
    monkeypatch.setattr("customers.merge.current_app.send_task",
                        lambda name, args=None, kwargs=None, **options: sent.append((name, kwargs)))

    with django_capture_on_commit_callbacks(execute=True):
        merge.customers_merge(survivor=survivor, merged=merged, merged_by=admin_user)

    assert sent == [("scoring.refresh_customers", {"customer_ids": [survivor.pk], "batch_id": None})]
