"""After the launch: the results page, the call list (page, CSV, outcomes) and the counter offers on the 360 page."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from branches import services as branch_services
from campaigns import services
from campaigns.models import CampaignRecipient, OfferOutcome
from conftest import PASSWORD
from customers.models import AccessAction, CustomerAccessLog

from .factories import customer_with, holding
from .test_pages import HTMX, launched

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(branch):
    return [customer_with(branch=branch, consents=("SMS", "PHONE"), mobile=f"+86138000022{n:02d}",
                          date_of_birth=dt.date(1970 + n, 1, 1)) for n in range(6)]


def results_url(campaign) -> str:
    return reverse("campaigns:results", kwargs={"campaign_id": campaign.pk})


def offer_url(recipient) -> str:
    return reverse("campaigns:offer-outcome", kwargs={"recipient_id": recipient.pk})


# --- results ------------------------------------------------------------------------------------------


def test_the_results_page_shows_the_funnel_the_holdout_and_the_lift_with_a_table_for_each_chart(
        client_for, manager, second_manager, product, customers):
    campaign = launched(manager, second_manager, product, channels=["SMS"], holdout_share="0.5")
    contacted = CampaignRecipient.objects.filter(campaign=campaign, holdout=False, sent_at__isnull=False)
    assert contacted.exists() and CampaignRecipient.objects.filter(campaign=campaign, holdout=True).exists()
    holding(contacted.first().customer, product, opened_at=timezone.localdate())  # a conversion
    services.campaign_results_compute(campaign_id=campaign.pk)

    response = client_for(manager).get(results_url(campaign))
    html = response.content.decode()
    assert response.status_code == 200
    data = json.loads(html.split('id="results-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert data["funnel"]["sent"] == contacted.count() and data["funnel"]["converted"] == 1
    assert f'data-testid="funnel-2">{contacted.count()}<' in html  # the table behind the funnel chart
    for chart in ("chart-funnel", "chart-rates", "chart-channels", "chart-days"):
        assert f'id="{chart}"' in html
    assert "Lift:" in html and "95 % interval" in html
    assert "<script>" not in html  # CSP: no inline scripts, the data is JSON


def test_the_results_page_before_any_computation_offers_a_recompute(client_for, manager, second_manager, product,
                                                                   customers, queued):
    campaign = launched(manager, second_manager, product, channels=["SMS"], run=False)
    client = client_for(manager)
    page = client.get(results_url(campaign)).content.decode()
    # the worker computes them at the end; the page says so and offers to compute them now
    assert "The results are computed when sending ends." in page and 'id="results-waiting"' in page
    assert ">Compute now</button>" in page
    url = reverse("campaigns:results-recompute", kwargs={"campaign_id": campaign.pk})
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == results_url(campaign) + "?since=none"
    page = client.get(response["Location"]).content.decode()
    assert 'id="results-waiting"' in page  # polls until the worker has computed them


def test_the_waiting_panel_reloads_the_page_once_new_results_exist(client_for, manager, second_manager, product,
                                                                  customers):
    campaign = launched(manager, second_manager, product, channels=["SMS"])
    status_url = reverse("campaigns:results-status", kwargs={"campaign_id": campaign.pk})
    client = client_for(manager)
    assert client.get(status_url, {"since": "none"}, **HTMX).status_code == 200  # still waiting
    services.campaign_results_compute(campaign_id=campaign.pk)
    response = client.get(status_url, {"since": "none"}, **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == results_url(campaign)


# --- the call list -----------------------------------------------------------------------------------------


@pytest.fixture
def calls(manager, second_manager, product, customers):
    return launched(manager, second_manager, product, channels=["PHONE"])


def test_the_call_list_csv_is_csv_with_masked_mobiles(client_for, manager, calls, customers):
    response = client_for(manager).get(reverse("campaigns:call-list-csv", kwargs={"campaign_id": calls.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("recipient_id,customer_no,name")
    assert len(text.splitlines()) == 1 + len(customers)
    assert "138****2200" in text and "13800002200" not in text
    assert not CustomerAccessLog.objects.filter(action=AccessAction.REVEAL).exists()


def test_full_mobiles_in_the_csv_are_recorded_in_each_customers_access_log(client_for, manager, calls, customers):
    url = reverse("campaigns:call-list-csv", kwargs={"campaign_id": calls.pk})
    text = client_for(manager).post(url, {"reveal": "1"}).content.decode("utf-8-sig")
    assert "+8613800002200" in text
    assert CustomerAccessLog.objects.filter(action=AccessAction.REVEAL, field="mobile", user=manager).count() == 6


def test_call_list_downloads_are_logged_per_customer_as_page_reads_and_never_cached(client_for, manager, calls,
                                                                                    customers):
    url = reverse("campaigns:call-list-csv", kwargs={"campaign_id": calls.pk})
    client = client_for(manager)
    masked = client.get(url)
    revealed = client.post(url, {"reveal": "1"})
    for response in (masked, revealed):
        assert "no-store" in response["Cache-Control"]
    rows = CustomerAccessLog.objects.filter(user=manager, customer__in=customers)
    assert set(rows.values_list("via", "action")) == {("page", "view"), ("page", "reveal")}
    assert rows.filter(action=AccessAction.VIEW).count() == len(customers)


def test_a_get_of_the_call_list_csv_never_reveals_full_numbers(client_for, manager, calls, customers):
    url = reverse("campaigns:call-list-csv", kwargs={"campaign_id": calls.pk})
    text = client_for(manager).get(url, {"reveal": "1"}).content.decode("utf-8-sig")
    assert "+8613800002200" not in text
    assert not CustomerAccessLog.objects.filter(action=AccessAction.REVEAL).exists()


def test_the_call_list_page_logs_the_customers_it_shows(client_for, manager, calls, customers):
    response = client_for(manager).get(reverse("campaigns:call-list", kwargs={"campaign_id": calls.pk}))
    assert "no-store" in response["Cache-Control"]
    assert set(CustomerAccessLog.objects.filter(user=manager, via="page").values_list("customer_id", flat=True)) == {
        c.pk for c in customers}


def test_the_call_list_page_records_an_outcome_per_call(client_for, manager, calls, customers):
    client = client_for(manager)
    page = client.get(reverse("campaigns:call-list", kwargs={"campaign_id": calls.pk})).content.decode()
    assert "致电{name}介绍{product}" in page and "138****2201" in page
    recipient = CampaignRecipient.objects.filter(campaign=calls).first()
    url = reverse("campaigns:call-outcome", kwargs={"campaign_id": calls.pk, "recipient_id": recipient.pk})
    response = client.post(url, {"outcome": "no_answer", "note": "下午再打"}, **HTMX)
    assert response.status_code == 200
    assert f'id="call-{recipient.pk}"' in response.content.decode()
    recipient.refresh_from_db()
    assert (recipient.response, recipient.response_by) == (OfferOutcome.NO_ANSWER, manager)
    assert client.post(url, {"outcome": "maybe"}, **HTMX).status_code == 400


# --- counter offers (their outcome endpoint; the 360 page that shows them: teller/tests/test_counter_offers.py) --


@pytest.fixture
def offer(manager, second_manager, product, customers):
    campaign = launched(manager, second_manager, product, channels=["COUNTER"])
    return CampaignRecipient.objects.get(campaign=campaign, customer=customers[0])


def test_a_teller_of_another_branch_serves_the_customer_and_records_the_outcome_too(client_for, other_branch, offer):
    """DESIGN §8: every member of staff may record an offer outcome for a customer they can open (all)."""
    visitor = branch_services.staff_create(username="teller_bj", password=PASSWORD, branch=other_branch,
                                           role="teller")
    response = client_for(visitor).post(offer_url(offer), {"outcome": "converted", "next": "/customers/x/"})
    assert response.status_code == 302 and response["Location"] == "/customers/x/"
    offer.refresh_from_db()
    assert offer.response == OfferOutcome.CONVERTED


def test_a_counter_offer_takes_only_the_counter_outcomes(client_for, teller, offer):
    response = client_for(teller).post(offer_url(offer), {"outcome": "no_answer"}, **HTMX)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    offer.refresh_from_db()
    assert offer.response == ""


def test_a_phone_call_is_not_a_counter_offer(client_for, teller, calls):
    recipient = CampaignRecipient.objects.filter(campaign=calls).first()
    assert client_for(teller).post(offer_url(recipient), {"outcome": "interested"}).status_code == 404


def test_an_offer_of_a_cancelled_campaign_is_closed(client_for, manager, second_manager, teller, product, customers):
    campaign = launched(manager, second_manager, product, channels=["COUNTER"], run=False)
    services.campaign_fanout(campaign_id=campaign.pk)  # pending offers, not yet handed over
    offer = CampaignRecipient.objects.filter(campaign=campaign).first()
    services.campaign_cancel(campaign=campaign, user=manager)
    response = client_for(teller).post(offer_url(offer), {"outcome": "interested"}, **HTMX)
    assert response.status_code == 409
    assert "This offer is closed" in response.content.decode()
