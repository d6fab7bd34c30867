"""End to end with a real Celery worker on the configured Redis and PostgreSQL: launch → fan-out → send →
outbox drained → completed → results, with no stand-ins."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from campaigns import services
from campaigns.models import Campaign, CampaignRecipient, CampaignResult, CampaignStatus, OutboxMessage, RecipientStatus

from .factories import MESSAGES, customer_with

pytestmark = pytest.mark.slow


def _wait(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


def test_a_real_worker_runs_a_launched_campaign_to_completion(reference_data, real_broker, celery_worker, settings,
                                                              branch, manager, second_manager, product):
    settings.CAMPAIGN_FANOUT_CHUNK = 2
    for n in range(4):
        customer_with(branch=branch, full_name=f"短信{n}", consents=("SMS",))
    customer_with(branch=branch, full_name="邮件", consents=("EMAIL",), preferred_contact_channel="EMAIL")
    customer_with(branch=branch, full_name="勿扰", consents=("SMS",), do_not_contact=True)
    campaign = services.campaign_create(user=manager, data={
        "name": "端到端", "product": product.code, "channels": ["SMS", "EMAIL"],
        "messages": {"SMS": MESSAGES["SMS"], "EMAIL": MESSAGES["EMAIL"]}})
    services.campaign_submit(campaign=campaign, user=manager)
    services.campaign_approve(campaign=campaign, user=second_manager)
    services.campaign_launch(campaign=campaign, user=manager)  # queues the fan-out on commit

    _wait(lambda: Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.COMPLETED)
    _wait(lambda: not OutboxMessage.objects.exclude(status="delivered").exists()
          and CampaignResult.objects.filter(campaign=campaign).exists())
    rows = CampaignRecipient.objects.filter(campaign=campaign)
    assert rows.count() == 6
    assert rows.filter(channel="SMS", status=RecipientStatus.DELIVERED).count() == 4
    assert rows.filter(channel="EMAIL", status=RecipientStatus.SENT).count() == 1
    assert rows.get(skip_reason="do_not_contact").status == RecipientStatus.SKIPPED
    assert OutboxMessage.objects.count() == 4 and len(mail.outbox) == 1
    result = CampaignResult.objects.get(campaign=campaign).data
    assert result["funnel"]["sent"] == 5
