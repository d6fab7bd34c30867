"""The audience key `propensity`, validated and evaluated through the campaigns floor's registry, and the
preview's expected conversions."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from accounts.tests.factories import ProductFactory
from campaigns.audience import audience_clean, audience_customers
from campaigns.exceptions import CampaignInvalid
from campaigns.models import Campaign
from propensity.models import PropensityScore

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # each trains a model on a synthetic population


def test_min_keeps_the_customers_at_or_above_the_probability(trained, branch):
    code = trained.product.code
    audience = audience_clean({"propensity": {"product": code.lower(), "min": "0.2"}}, scope=None)
    assert audience == {"propensity": {"product": code, "min": "0.2000"}}
    chosen = set(audience_customers(audience, scope=branch).values_list("pk", flat=True))
    expected = set(PropensityScore.objects.filter(product=trained.product, probability__gte=0.2)
                   .values_list("customer_id", flat=True))
    assert chosen == expected and 0 < len(chosen) < 800


def test_top_percent_keeps_the_tenth_the_model_ranks_highest(trained, branch):
    audience = audience_clean({"propensity": {"product": trained.product.code, "top_percent": 10}}, scope=None)
    chosen = audience_customers(audience, scope=branch)
    lowest_chosen = min(PropensityScore.objects.filter(customer__in=chosen, product=trained.product)
                        .values_list("probability", flat=True))
    left_out = PropensityScore.objects.filter(product=trained.product).exclude(customer__in=chosen)
    assert 60 <= chosen.count() <= 300  # ties at the cut-off come along
    assert not left_out.filter(probability__gt=lowest_chosen).exists()


@pytest.mark.parametrize("value, field", [
    ({"product": "T-WM", "min": "0.2", "top_percent": 10}, "audience.propensity.min"),
    ({"product": "T-WM"}, "audience.propensity.min"),
    ({"product": "T-WM", "min": "1.5"}, "audience.propensity.min"),
    ({"product": "T-WM", "top_percent": 0}, "audience.propensity.top_percent"),
    ({"product": "NOPE", "min": "0.2"}, "audience.propensity.product"),
    ({"product": "NO-MODEL", "min": "0.2"}, "audience.propensity.product"),
    ("T-WM", "audience.propensity.non_field_errors"),
])
def test_a_bad_propensity_key_is_refused_with_its_reason(trained, value, field):
    ProductFactory(code="NO-MODEL")
    with pytest.raises(CampaignInvalid) as caught:
        audience_clean({"propensity": value}, scope=None)
    assert field in caught.value.errors


def test_the_preview_shows_expected_conversions_against_a_random_audience(trained, api_client, manager):
    api_client.force_authenticate(manager)
    code = trained.product.code
    response = api_client.post("/api/v1/campaigns/preview/", {
        "product": code, "channels": ["COUNTER"],
        "audience": {"propensity": {"product": code, "top_percent": 20}}}, format="json")
    assert response.status_code == 200
    data = response.json()
    chosen = audience_customers(audience_clean({"propensity": {"product": code, "top_percent": 20}}, scope=None),
                                scope=manager.staff_profile.branch)
    expected = PropensityScore.objects.filter(customer__in=chosen, product=trained.product).aggregate(
        s=Sum("probability"))["s"]
    average = PropensityScore.objects.filter(product=trained.product).aggregate(s=Sum("probability"))["s"] / 800
    assert data["eligible"] == chosen.count() == data["propensity"]["audience"]
    assert data["propensity"]["expected_conversions"] == pytest.approx(expected, abs=0.06)
    assert data["propensity"]["random_expected_conversions"] == pytest.approx(average * data["eligible"], abs=0.06)
    assert data["propensity"]["expected_conversions"] > 1.5 * data["propensity"]["random_expected_conversions"]


def test_a_campaign_stores_the_propensity_key_and_the_preview_page_shows_the_expectation(trained, client_for,
                                                                                          manager):
    client = client_for(manager)
    code = trained.product.code
    response = client.post("/campaigns/new/", {"name": "按模型挑选", "product": code, "channels": ["COUNTER"],
                                               "propensity_product": code, "propensity_top_percent": "10",
                                               "msg_COUNTER_zh_hans_body": "向{name}介绍{product}", "preview": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(name="按模型挑选")
    assert campaign.audience == {"propensity": {"product": code, "top_percent": 10}}
    page = client.get(f"/campaigns/{campaign.pk}/preview/")
    assert page.status_code == 200
    assert "预计转化" in page.content.decode() or "Expected conversions" in page.content.decode()
