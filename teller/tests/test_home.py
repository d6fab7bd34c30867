"""The home page per role: a manager's work queue, a teller's search box."""

import pytest
from django.urls import reverse

from campaigns.models import CampaignStatus
from campaigns.tests.factories import CampaignFactory
from conftest import _staff
from transactions.models import BatchStatus, IngestBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_manager(branch):
    return _staff("manager2", branch, "manager")


def test_a_manager_sees_campaigns_waiting_for_their_approval_and_failed_batches(client_for, manager, second_manager,
                                                                             branch):
    waiting = CampaignFactory(branch=branch, created_by=second_manager, status=CampaignStatus.PENDING_APPROVAL,
                              name="五一理财推广")
    CampaignFactory(branch=branch, created_by=manager, status=CampaignStatus.PENDING_APPROVAL, name="自己起草的")
    IngestBatch.objects.create(source="file", status=BatchStatus.FAILED, file_name="pos-0501.csv", error="bad header")
    IngestBatch.objects.create(source="file", status=BatchStatus.DONE, file_name="pos-0430.csv")
    html = client_for(manager).get(reverse("teller:home")).content.decode()
    approvals = html[html.index('data-testid="queue-approvals"'):html.index('data-testid="queue-failed-batches"')]
    assert "五一理财推广" in approvals
    assert reverse("campaigns:detail", args=[waiting.pk]) in approvals
    assert "自己起草的" not in approvals  # a second manager approves
    batches = html[html.index('data-testid="queue-failed-batches"'):html.index('data-testid="queue-alerts"')]
    assert "pos-0501.csv" in batches and "bad header" in batches
    assert "pos-0430.csv" not in batches
    assert 'data-testid="queue-unusual-access"' in html


def test_an_empty_work_queue_says_so_part_by_part(client_for, manager):
    html = client_for(manager).get(reverse("teller:home")).content.decode()
    for empty in ["Nothing waits for your approval.", "No failed batches.", "No customer has an alert.",
                  "No unusual access."]:
        assert empty in html


def test_a_teller_has_no_work_queue_but_the_search_box(client_for, teller):
    html = client_for(teller).get(reverse("teller:home")).content.decode()
    assert 'data-testid="work-queue"' not in html
    assert 'id="search-box"' in html


def test_the_top_bar_search_posts_on_other_pages_and_the_active_menu_item_is_marked(client_for, teller, customer):
    client = client_for(teller)
    html = client.get(reverse("teller:customer", kwargs={"customer_no": customer.customer_no})).content.decode()
    form = html[html.index('class="topbar-search"'):]
    assert 'method="post"' in form[:200] and f'action="{reverse("teller:search")}"' in form[:200]
    assert f'<a href="{reverse("teller:search")}" aria-current="page">' in html
    home = client.get(reverse("teller:home")).content.decode()
    assert f'<a href="{reverse("teller:home")}" aria-current="page">' in home
    assert 'class="topbar-search"' not in home  # the home page's own box is the search


def test_the_top_bar_search_finds_by_mobile_without_putting_it_in_a_url(client_for, teller, customer):
    response = client_for(teller).post(reverse("teller:search"), {"q": "13912345678"})
    assert response.status_code == 303  # See Other: Back does not post the number again
    assert response["Location"] == reverse("teller:customer", kwargs={"customer_no": customer.customer_no})
