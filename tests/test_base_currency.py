"""BASE_CURRENCY=EUR: euro is the unit everywhere money adds up — scores and tiers, audiences, the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AccountFactory, FxRateFactory, ProductFactory
from campaigns import selectors as campaign_selectors
from customers.tests.factories import CustomerFactory
from scoring import services
from scoring.models import CustomerScore, RunKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def euro_bank(branch):
    """A euro saver, a Czech-crown saver worth more in euros, and a Czech-crown saver worth less."""
    savings = ProductFactory(code="SAV", kind="SAVINGS")
    people = {}
    for name, currency, balance in [("euro", "EUR", "100000.00"), ("crowns_big", "CZK", "4000000.00"),
                                    ("crowns_small", "CZK", "250000.00")]:
        people[name] = CustomerFactory(home_branch=branch)
        AccountFactory(customer=people[name], product=savings, branch=branch, currency=currency,
                       balance=Decimal(balance))
    FxRateFactory(currency="CZK", rate_date=timezone.localdate() - dt.timedelta(days=1), rate=Decimal("0.04"))
    return people


@override_settings(BASE_CURRENCY="EUR")
def test_with_a_euro_base_aum_tiers_audiences_and_the_dashboard_are_in_euros(euro_bank, manager, client_for):
    run = services.score_run_create(kind=RunKind.FULL)
    run = services.score_run_process(run_id=run.pk)
    scores = {s.customer_id: s for s in CustomerScore.objects.all()}
    euro, big, small = (scores[euro_bank[n].pk] for n in ("euro", "crowns_big", "crowns_small"))

    assert (euro.aum, big.aum, small.aum) == (Decimal("100000.00"), Decimal("160000.00"), Decimal("10000.00"))
    assert run.base_currency == "EUR" and run.unconverted == {}
    assert big.value_score > euro.value_score > small.value_score  # ranked by euros, not by the number written
    tiers = ["AAA", "AA", "A", "B", "C"]
    assert tiers.index(big.tier) < tiers.index(euro.tier) < tiers.index(small.tier)

    wealthy = campaign_selectors.audience_count(user=manager, audience={"aum_min": "50000.00"})
    assert wealthy == 2  # the euro saver and the big crown saver: 160,000 € counts, 4,000,000 Kč is not euros

    html = client_for(manager).get(reverse("scoring:branch-dashboard")).content.decode()
    assert 'id="total-aum">EUR 270,000.00<' in html
    assert "AUM (EUR)" in html
    form = client_for(manager).get(reverse("campaigns:create")).content.decode()
    assert "AUM from (EUR)" in form


def test_a_base_currency_that_is_not_iso_4217_stops_the_start_up():
    from django.core.exceptions import ImproperlyConfigured

    from crm_site.currencies import base_currency_from

    assert base_currency_from(" eur ") == "EUR"
    with pytest.raises(ImproperlyConfigured, match="ISO 4217"):
        base_currency_from("EURO")
