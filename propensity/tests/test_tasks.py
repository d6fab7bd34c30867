"""The nightly run and the hook on a campaign's closing conversion window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import ProductFactory
from campaigns.models import CampaignStatus
from campaigns.tests.factories import CampaignFactory
from propensity.services import campaigns_window_closed, propensity_train_all

from .population import population_build

pytestmark = pytest.mark.django_db


def test_the_nightly_run_skips_products_without_enough_history_and_says_why():
    population = population_build(size=60, prefix="NIT")
    ProductFactory(code="QUIET")
    done = propensity_train_all()
    assert "needs at least" in done[population.product.code]
    assert "0 contacts" in done["QUIET"]


def test_a_campaign_whose_window_closed_in_the_last_hour_names_its_product(manager, branch):
    now = timezone.now()
    closing = CampaignFactory(branch=branch, created_by=manager, status=CampaignStatus.COMPLETED,
                              started_at=now - dt.timedelta(days=30, minutes=20), conversion_window_days=30)
    CampaignFactory(branch=branch, created_by=manager, status=CampaignStatus.RUNNING,
                    product=ProductFactory(code="STILL-OPEN"), started_at=now - dt.timedelta(days=3),
                    conversion_window_days=30)
    assert campaigns_window_closed(now=now, since=dt.timedelta(hours=1)) == [closing.product.code]
    assert campaigns_window_closed(now=now + dt.timedelta(hours=2), since=dt.timedelta(hours=1)) == []
