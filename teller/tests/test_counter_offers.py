"""A campaign's counter offer on the teller's 360 page and in the 360 API: shown with its pitch, its outcome
recorded from the page, within the page's query budget (moved up from campaigns/tests/test_pages_results.py:
the 360 is the teller floor's)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.tests.factories import ProductFactory
from branches import services as branch_services
from campaigns.models import CampaignRecipient, RecipientStatus
from campaigns.tests.factories import customer_with
from campaigns.tests.test_pages import HTMX, launched
from conftest import PASSWORD
from customers.models import Interaction, InteractionKind

from .test_page_access import MAX_QUERIES_360

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(db):
    return ProductFactory(code="WM-NEW", name="稳享理财", name_en="Steady Wealth", kind="WEALTH")


@pytest.fixture
def second_manager(branch):
    """Another manager of the same branch: the one who approves the first one's campaigns."""
    return branch_services.staff_create(username="manager2", password=PASSWORD, branch=branch, role="manager")


@pytest.fixture
def offer(manager, second_manager, product, branch):
    customers = [
        customer_with(
            branch=branch,
            consents=("SMS", "PHONE"),
            mobile=f"+86138000022{n:02d}",
            date_of_birth=dt.date(1970 + n, 1, 1),
        )
        for n in range(2)
    ]
    campaign = launched(manager, second_manager, product, channels=["COUNTER"])
    return CampaignRecipient.objects.get(campaign=campaign, customer=customers[0])


def offer_url(recipient) -> str:
    return reverse("campaigns:offer-outcome", kwargs={"recipient_id": recipient.pk})


def test_the_360_page_shows_the_offer_with_its_pitch_for_the_customer(client_for, teller, offer):
    html = client_for(teller).get(reverse("teller:customer", kwargs={"customer_no": offer.customer.customer_no}))
    html = html.content.decode()
    assert f'id="offer-{offer.pk}"' in html
    assert f"向{offer.customer.display_name}介绍稳享理财" in html  # the pitch, filled in
    assert offer_url(offer) in html


def test_a_teller_records_interested_then_converted_from_the_360_page(client_for, teller, offer):
    client = client_for(teller)
    customer_url = reverse("teller:customer", kwargs={"customer_no": offer.customer.customer_no})
    response = client.post(offer_url(offer), {"outcome": "interested", "next": customer_url}, **HTMX)
    assert response.status_code == 200
    assert "Recorded: Interested" in response.content.decode()
    assert f"向{offer.customer.display_name}介绍稳享理财" in response.content.decode()  # still open, pitch and all
    offer.refresh_from_db()
    assert (offer.response, offer.response_by, offer.status) == ("interested", teller, RecipientStatus.DELIVERED)
    assert Interaction.objects.filter(customer=offer.customer, kind=InteractionKind.OFFER_OUTCOME).exists()
    page = client.get(customer_url).content.decode()
    assert "Recorded: Interested" in page.split(f'id="offer-{offer.pk}"', 1)[1]  # still open: they may take it
    client.post(offer_url(offer), {"outcome": "converted", "next": customer_url}, **HTMX)
    assert f'id="offer-{offer.pk}"' not in client.get(customer_url).content.decode()  # taken: nothing to pitch


def test_an_offer_keeps_the_360_page_within_its_query_budget(client_for, teller, offer, django_assert_max_num_queries):
    client = client_for(teller)
    with django_assert_max_num_queries(MAX_QUERIES_360):
        response = client.get(reverse("teller:customer", kwargs={"customer_no": offer.customer.customer_no}))
    assert len(response.context["offers"]) == 1


def test_the_360_api_lists_the_offers(client_for, teller, offer):
    response = client_for(teller).get(
        reverse("teller-api:customer-360", kwargs={"customer_no": offer.customer.customer_no})
    )
    (item,) = response.json()["offers"]
    assert item["id"] == offer.pk and item["product"]["code"] == "WM-NEW"
    assert item["pitch"] == f"向{offer.customer.display_name}介绍稳享理财"
    assert item["campaign"]["name"] == offer.campaign.name
