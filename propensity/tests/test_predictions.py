"""Predicted against actual conversions for a campaign whose product had a model when it started."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campaigns.models import CampaignRecipient, CampaignStatus, RecipientStatus, SkipReason
from campaigns.tests.factories import CampaignFactory
from propensity.models import CampaignPrediction, PropensityScore
from propensity.selectors import campaign_prediction
from propensity.services import campaign_predictions_record, campaigns_predictions_record

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # trains a model on a synthetic population


@pytest.fixture
def campaign(trained, branch, manager):
    now = timezone.now()
    campaign = CampaignFactory(product=trained.product, branch=branch, channels=["COUNTER"], created_by=manager,
                               status=CampaignStatus.RUNNING, launched_at=now, started_at=now, fanout_done_at=now,
                               audience={"propensity": {"product": trained.product.code, "top_percent": 20}})
    scores = list(PropensityScore.objects.filter(product=trained.product).order_by("-probability")[:60])
    for n, score in enumerate(scores):
        holdout = n % 4 == 0
        CampaignRecipient.objects.create(
            campaign=campaign, customer_id=score.customer_id, channel="COUNTER", holdout=holdout,
            status=RecipientStatus.SKIPPED if holdout else RecipientStatus.SENT,
            skip_reason=SkipReason.HOLDOUT if holdout else "", sent_at=None if holdout else now,
            converted_at=now if n % 3 == 0 else None)
    return campaign, scores


def test_the_prediction_is_kept_once_and_set_against_the_conversions(campaign, client_for, manager, api_client):
    campaign, scores = campaign
    assert campaigns_predictions_record() == [campaign.pk]
    assert campaign_predictions_record(campaign_id=campaign.pk) == 0  # once: later models do not rewrite it
    assert CampaignPrediction.objects.filter(campaign=campaign).count() == 60
    prediction = campaign_prediction(campaign_id=campaign.pk)
    contacted = [s for n, s in enumerate(scores) if n % 4]
    assert prediction["contacted"]["size"] == 45 and prediction["holdout"]["size"] == 15
    assert prediction["contacted"]["predicted"] == pytest.approx(sum(s.probability for s in contacted), abs=0.06)
    assert prediction["contacted"]["actual"] == sum(1 for n in range(60) if n % 4 and n % 3 == 0)
    html = client_for(manager).get(f"/campaigns/{campaign.pk}/results/").content.decode()
    assert 'data-testid="campaign-prediction"' in html
    api_client.force_authenticate(manager)
    data = api_client.get(f"/api/v1/propensity/campaigns/{campaign.pk}/prediction/").json()
    assert data["contacted"]["actual"] == prediction["contacted"]["actual"] and data["model_version"] == 1
