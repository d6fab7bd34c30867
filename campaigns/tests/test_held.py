"""A campaign held by its quiet hours says so: how many messages per channel, and when they go."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, OutboxMessage, OutboxStatus, RecipientStatus
from campaigns.selectors import campaign_held
from campaigns.tests.factories import CampaignFactory, customer_with, running

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_campaign(branch, manager):
    campaign = running(CampaignFactory(branch=branch, created_by=manager, channels=["SMS", "EMAIL"],
                                       quiet_start=dt.time(21, 0), quiet_end=dt.time(8, 0)))
    campaign.fanout_done_at = timezone.now()
    campaign.save(update_fields=["fanout_done_at"])
    tomorrow_8 = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(8, 0)))
    in_an_hour = timezone.now() + dt.timedelta(hours=1)
    for channel, when in [("SMS", tomorrow_8), ("SMS", tomorrow_8), ("EMAIL", in_an_hour)]:
        CampaignRecipient.objects.create(campaign=campaign, customer=customer_with(branch=branch),
                                         channel=channel, status=RecipientStatus.PENDING, next_attempt_at=when)
    return campaign


def test_held_messages_are_counted_per_channel_with_their_release_time(held_campaign):
    held = {row["channel"]: row for row in campaign_held(campaign=held_campaign)}
    assert (held["SMS"]["count"], held["SMS"]["quiet"]) == (2, True)
    assert timezone.localtime(held["SMS"]["release_at"]).time() == dt.time(8, 0)
    assert (held["EMAIL"]["count"], held["EMAIL"]["quiet"]) == (1, False)  # a retry, not the quiet hours


def test_the_campaign_page_says_what_is_held_instead_of_sending(client_for, manager, held_campaign):
    html = client_for(manager).get(reverse("campaigns:detail", args=[held_campaign.pk]),
                                   HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    held = html[html.index('data-testid="held"'):]
    assert "短信：2 条消息因免打扰时段暂缓，将于" in held
    assert "08:00 发送" in held
    assert "正在发送" not in html


def test_results_of_a_running_campaign_say_when_they_are_computed_and_offer_to_compute_now(
        client_for, manager, held_campaign):
    html = client_for(manager).get(reverse("campaigns:results", args=[held_campaign.pk]),
                                   HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    note = html[html.index('data-testid="results-not-computed"'):]
    assert "发送结束后计算效果" in note[:300]
    assert '<button type="submit" id="recompute">立即计算</button>' in html


def test_a_completed_campaign_keeps_polling_while_its_messages_are_still_in_the_outbox(client_for, manager, branch):
    """Completed means every recipient went to the outbox; the delivery counts move until it drains."""
    campaign = running(CampaignFactory(branch=branch, created_by=manager, channels=["SMS"]))
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.COMPLETED, fanout_done_at=timezone.now(),
                                                   completed_at=timezone.now())
    recipients = [CampaignRecipient.objects.create(campaign=campaign, customer=customer_with(branch=branch),
                                                   channel="SMS", status=RecipientStatus.SENT) for _ in range(3)]
    later = timezone.now() + dt.timedelta(hours=10)
    for recipient, status, when in [(recipients[0], OutboxStatus.QUEUED, None),
                                    (recipients[1], OutboxStatus.SENDING, None),
                                    (recipients[2], OutboxStatus.QUEUED, later)]:  # held: nothing moves before then
        OutboxMessage.objects.create(recipient=recipient, channel="SMS", body="x", status=status,
                                     next_attempt_at=when)
    url = reverse("campaigns:progress", args=[campaign.pk])
    client = client_for(manager)

    panel = client.get(url, {"was": "completed"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'hx-get="{url}?was=completed"' in panel
    assert "2 messages are still being handed to the gateway" in panel
    in_chinese = client.get(url, {"was": "completed"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "还有 2 条消息正在交给发送网关" in in_chinese

    OutboxMessage.objects.filter(status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING],
                                 next_attempt_at__isnull=True).update(status=OutboxStatus.DELIVERED)
    response = client.get(url, {"was": "completed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "hx-get" not in response.content.decode()  # drained: the panel stops polling
    assert "HX-Refresh" not in response  # the status did not change
