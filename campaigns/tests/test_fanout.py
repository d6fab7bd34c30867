"""Fan-out: one recipient per customer, the preview's counts, a reproducible holdout, resumable chunks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.holdout import HOLDOUT_BUCKETS, holdout_draw
from campaigns.models import CampaignRecipient, CampaignStatus, RecipientStatus, SkipReason
from campaigns.selectors import campaign_counts, campaign_preview_saved
from campaigns.services.fanout import campaign_fanout

from .factories import CampaignFactory, consent, customer_with, holding, running

pytestmark = pytest.mark.django_db


class Stop(Exception):
    """A worker killed mid-way."""


def population(branch, product, *, eligible=6):
    """`eligible` reachable customers plus one of each exclusion reason."""
    for n in range(eligible):
        customer_with(branch=branch, full_name=f"客户{n}", consents=("SMS",),
                      preferred_language="en" if n % 2 else "zh-hans")
    holding(customer_with(branch=branch, full_name="持有", consents=("SMS",)), product)
    customer_with(branch=branch, full_name="勿扰", consents=("SMS",), do_not_contact=True)
    customer_with(branch=branch, full_name="无同意", consents=("EMAIL",))


def test_the_launch_counts_are_the_previews(branch, product, manager):
    population(branch, product, eligible=20)
    campaign = CampaignFactory(product=product, branch=branch, channels=["SMS"], holdout_share=Decimal("0.3"),
                               created_by=manager)
    preview = campaign_preview_saved(campaign=campaign)
    running(campaign)
    campaign_fanout(campaign_id=campaign.pk, chunk_size=4)
    counts = campaign_counts(campaign=campaign)
    assert counts["eligible"] == preview["eligible"] == 20
    assert counts["excluded"] == preview["excluded"] == {"holds_product": 1, "do_not_contact": 1, "no_consent": 1,
                                                         "frequency_cap": 0}
    assert counts["by_channel"] == preview["by_channel"] == {"SMS": 20}
    assert counts["total"] == 23
    assert counts["holdout"] + counts["by_status"]["pending"] == 20


def test_the_holdout_is_drawn_reproducibly_from_campaign_and_customer(branch, product, manager):
    population(branch, product, eligible=40)
    campaign = running(CampaignFactory(product=product, branch=branch, holdout_share=Decimal("0.25"),
                                       created_by=manager))
    campaign_fanout(campaign_id=campaign.pk)
    rows = CampaignRecipient.objects.filter(campaign=campaign).exclude(skip_reason__in=[
        SkipReason.HOLDS_PRODUCT, SkipReason.DO_NOT_CONTACT, SkipReason.NO_CONSENT])
    assert rows.count() == 40
    for row in rows:
        expected = holdout_draw(campaign.pk, row.customer_id) < 0.25 * HOLDOUT_BUCKETS
        assert row.holdout is expected
        assert (row.status, row.skip_reason) == ((RecipientStatus.SKIPPED, SkipReason.HOLDOUT) if expected
                                                 else (RecipientStatus.PENDING, ""))
    assert 0 < rows.filter(holdout=True).count() < 40
    excluded = CampaignRecipient.objects.filter(campaign=campaign, skip_reason=SkipReason.DO_NOT_CONTACT).get()
    assert excluded.holdout is False  # the holdout is drawn among eligible customers only


def test_a_worker_killed_after_chunk_k_resumes_and_writes_each_customer_once(branch, product, manager, queued,
                                                                             django_capture_on_commit_callbacks):
    population(branch, product, eligible=8)  # 11 customers: chunks of 3 -> 4 chunks
    campaign = running(CampaignFactory(product=product, branch=branch, created_by=manager))

    def die_after_second(_campaign, chunks):
        if chunks == 2:
            raise Stop

    with pytest.raises(Stop):
        campaign_fanout(campaign_id=campaign.pk, chunk_size=3, on_chunk=die_after_second)
    campaign.refresh_from_db()
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 6
    assert campaign.fanout_done_at is None and campaign.fanout_cursor > 0

    with django_capture_on_commit_callbacks(execute=True):
        result = campaign_fanout(campaign_id=campaign.pk, chunk_size=3)
    assert result.done and result.chunks == 2 and result.inserted == 5
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 11
    assert queued == [("send", campaign.pk)] * 2  # CAMPAIGN_SENDERS senders share the rows


def test_a_duplicate_fanout_task_inserts_nothing(branch, product, manager):
    population(branch, product, eligible=5)
    campaign = running(CampaignFactory(product=product, branch=branch, created_by=manager))
    first = campaign_fanout(campaign_id=campaign.pk)
    again = campaign_fanout(campaign_id=campaign.pk)
    campaign.fanout_done_at = None  # even with the cursor lost, the unique constraint holds
    type(campaign).objects.filter(pk=campaign.pk).update(fanout_done_at=None, fanout_cursor=0)
    third = campaign_fanout(campaign_id=campaign.pk)
    assert (first.inserted, again.inserted, third.inserted) == (8, 0, 0)
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 8


def test_fanout_does_nothing_for_a_campaign_that_is_not_running(branch, product, manager):
    population(branch, product, eligible=2)
    for status in (CampaignStatus.APPROVED, CampaignStatus.CANCELLED, CampaignStatus.SCHEDULED):
        campaign = CampaignFactory(product=product, branch=branch, status=status, created_by=manager)
        assert campaign_fanout(campaign_id=campaign.pk).inserted == 0
    assert not CampaignRecipient.objects.exists()


def test_a_customer_language_is_kept_on_the_recipient(branch, product, manager):
    population(branch, product, eligible=2)
    campaign = running(CampaignFactory(product=product, branch=branch, created_by=manager))
    campaign_fanout(campaign_id=campaign.pk)
    languages = dict(CampaignRecipient.objects.filter(campaign=campaign, customer__full_name__startswith="客户")
                     .values_list("customer__full_name", "language"))
    assert languages == {"客户0": "zh-hans", "客户1": "en"}


def test_consent_granted_after_the_preview_is_seen_by_the_launch(branch, product, manager):
    late = customer_with(branch=branch, full_name="后来同意", consents=())
    campaign = CampaignFactory(product=product, branch=branch, created_by=manager)
    assert campaign_preview_saved(campaign=campaign)["excluded"]["no_consent"] == 1
    consent(late, "SMS", True, at=timezone.now() + dt.timedelta(seconds=1))
    running(campaign)
    campaign_fanout(campaign_id=campaign.pk)
    assert CampaignRecipient.objects.get(campaign=campaign).status == RecipientStatus.PENDING
