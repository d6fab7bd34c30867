"""Next-best offers on the 360 page and API, their outcome buttons, the model cards (page and API), both languages."""

from __future__ import annotations

import pytest

from accounts.models import Account
from campaigns.models import ContactResponse, ContactSource
from customers.models import Customer, Interaction, InteractionKind
from propensity.models import PropensityScore

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # each trains a model on a synthetic population


def _holder(population) -> Customer:
    pk = Account.objects.filter(product=population.mortgage).values_list("customer_id", flat=True).first()
    return Customer.objects.get(pk=pk)


@pytest.mark.parametrize("language, reason, heading", [("zh-hans", "持有住房贷款", "下一步推荐"),
                                                       ("en", "Holds: Mortgage", "Next-best offers")])
def test_the_360_page_shows_next_best_offers_with_reasons_in_the_readers_language(
        trained, client_for, teller, language, reason, heading):
    customer = _holder(trained)
    client = client_for(teller)
    client.cookies["django_language"] = language
    html = client.get(f"/customers/{customer.customer_no}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'data-testid="next-best-offer"' in html and f'data-product="{trained.product.code}"' in html
    assert reason in html and heading in html


def test_the_outcome_buttons_record_contact_history_and_rest_the_offer(trained, client_for, teller):
    customer = _holder(trained)
    client = client_for(teller)
    url = f"/propensity/customers/{customer.customer_no}/offers/{trained.product.code}/outcome/"
    response = client.post(url, {"outcome": "declined"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    contact = ContactResponse.objects.get(customer=customer, product=trained.product,
                                          source=ContactSource.NEXT_BEST_OFFER)
    assert (contact.source, contact.outcome, contact.channel, contact.recorded_by) == (
        ContactSource.NEXT_BEST_OFFER, "declined", "COUNTER", teller)
    assert Interaction.objects.filter(customer=customer, kind=InteractionKind.OFFER_OUTCOME).exists()
    assert f'data-product="{trained.product.code}"' not in response.content.decode()  # declined: not offered again
    assert client.post(url, {"outcome": "maybe"}).status_code == 400
    back = client.post(url, {"outcome": "interested", "next": f"/customers/{customer.customer_no}/"})
    assert back.status_code == 302 and back["Location"] == f"/customers/{customer.customer_no}/"
    assert client.post(url, {"outcome": "interested", "next": "https://evil.example/"})["Location"] == "/"


def test_the_360_api_carries_the_next_best_offers(trained, api_client, teller):
    customer = _holder(trained)
    api_client.force_authenticate(teller)
    data = api_client.get(f"/api/v1/customers/{customer.customer_no}/", HTTP_ACCEPT_LANGUAGE="en").json()
    offer = data["next_best_offers"][0]
    score = PropensityScore.objects.get(customer=customer, product=trained.product)
    assert offer["product"]["code"] == trained.product.code
    assert offer["probability"] == pytest.approx(score.probability)
    assert offer["band"] in ("high", "medium", "low") and offer["model_version"] == 1
    assert "Holds: Mortgage" in offer["reasons"]


def test_an_offer_outcome_through_the_api(trained, api_client, teller):
    customer = _holder(trained)
    api_client.force_authenticate(teller)
    url = f"/api/v1/propensity/customers/{customer.customer_no}/offers/{trained.product.code}/outcome/"
    assert api_client.post(url, {"outcome": "converted"}, format="json").status_code == 201
    assert api_client.post(url, {"outcome": "no"}, format="json").status_code == 400
    assert api_client.post(url.replace(trained.product.code, "NOPE"), {"outcome": "converted"},
                           format="json").status_code == 404
    assert ContactResponse.objects.filter(customer=customer, outcome="converted").count() == 1


@pytest.mark.parametrize("language, words", [("zh-hans", ["模型说明", "提升度"]),
                                            ("en", ["Model card", "Lift by decile"])])
def test_a_manager_reads_the_model_card_in_both_languages(trained, client_for, manager, language, words):
    client = client_for(manager)
    client.cookies["django_language"] = language
    html = client.get(f"/propensity/models/{trained.product.code}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert all(word in html for word in words)
    assert 'id="chart-lift"' in html and "model-card-data" in html
    assert trained.product.code in client.get("/propensity/models/").content.decode()


def test_tellers_do_not_see_model_cards(trained, client_for, teller, api_client):
    assert client_for(teller).get(f"/propensity/models/{trained.product.code}/").status_code == 403
    api_client.force_authenticate(teller)
    assert api_client.get("/api/v1/propensity/models/").status_code == 403


def test_the_model_card_api(trained, api_client, manager):
    api_client.force_authenticate(manager)
    data = api_client.get(f"/api/v1/propensity/models/{trained.product.code}/").json()
    assert data["version"] == 1 and data["training_size"] == 800
    assert 0.6 < data["metrics"]["auc"] <= 1 and len(data["metrics"]["deciles"]) == 10
    assert data["weak"] is False and data["warnings"] == []
    assert data["strongest"][0]["label"]
    assert api_client.get("/api/v1/propensity/models/NOPE/").status_code == 404
    listing = api_client.get("/api/v1/propensity/models/").json()
    assert any(row["product"]["code"] == trained.product.code and row["version"] == 1 for row in listing)
