"""Two senders on one campaign at once (the CAMPAIGN_SENDERS tasks of a fan-out, on two worker processes):
SKIP LOCKED shares the rows, and every customer gets exactly one message."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from campaigns.models import Campaign, CampaignStatus, OutboxMessage, RecipientStatus
from campaigns.services import campaign_fanout, campaign_send

from .factories import CampaignFactory, customer_with, running

pytestmark = pytest.mark.slow


def test_two_senders_at_once_send_each_message_exactly_once(reference_data, branch, product, manager):
    for n in range(40):
        customer_with(branch=branch, full_name=f"客户{n}", consents=("SMS",))
    campaign = running(CampaignFactory(product=product, branch=branch, created_by=manager))
    campaign_fanout(campaign_id=campaign.pk)
    results, errors, start = [], [], threading.Barrier(2)

    def sender():
        try:
            start.wait()
            results.append(campaign_send(campaign_id=campaign.pk, chunk_size=3))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r.sent for r in results) == 40
    assert OutboxMessage.objects.count() == 40
    assert OutboxMessage.objects.values("recipient").distinct().count() == 40
    assert not campaign.recipients.exclude(status=RecipientStatus.SENT).exists()
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.COMPLETED
