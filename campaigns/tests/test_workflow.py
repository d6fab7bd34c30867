"""A campaign's life before sending: draft, submit, approve (never by its author), launch, cancel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.exceptions import CampaignInvalid, CampaignStatusError
from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus, SkipReason
from campaigns.selectors import campaign_get, campaigns_awaiting_approval, campaigns_for_user
from crm_site.exceptions import NotAllowed, NotFound

from .factories import CampaignFactory, customer_with

pytestmark = pytest.mark.django_db


def submitted(manager, data) -> Campaign:
    campaign = services.campaign_create(user=manager, data=data)
    return services.campaign_submit(campaign=campaign, user=manager)


def test_a_manager_drafts_a_campaign_for_their_own_branch(manager, branch, draft_data):
    campaign = services.campaign_create(user=manager, data=draft_data)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.branch == branch and campaign.created_by == manager
    assert campaign.holdout_share == Decimal("0.100") and campaign.audience == {"age_min": 18}


def test_an_admins_campaign_is_bank_wide(admin_user, draft_data):
    assert services.campaign_create(user=admin_user, data=draft_data).branch is None


def test_a_teller_may_not_draft(teller, draft_data):
    with pytest.raises(NotAllowed):
        services.campaign_create(user=teller, data=draft_data)


def test_every_problem_of_a_draft_is_reported_by_field(manager, draft_data):
    bad = {**draft_data, "channels": ["SMS", "FAX"], "holdout_share": "0.9", "quiet_start": "21:00",
           "messages": {"SMS": {"zh-hans": {"body": "{nom}"}}}, "audience": {"age_min": 50, "age_max": 40},
           "colour": "red"}
    with pytest.raises(CampaignInvalid) as caught:
        services.campaign_create(user=manager, data=bad)
    assert set(caught.value.errors) == {"channels", "holdout_share", "quiet_end", "messages.SMS.zh-hans.body",
                                        "audience.age_max", "colour"}


def test_a_draft_without_a_text_for_a_channel_cannot_be_submitted(manager, draft_data):
    campaign = services.campaign_create(user=manager, data={**draft_data, "channels": ["SMS", "APP"]})
    with pytest.raises(CampaignInvalid) as caught:
        services.campaign_submit(campaign=campaign, user=manager)
    assert "messages.APP.zh-hans.body" in caught.value.errors


def test_the_author_cannot_approve_their_own_campaign(manager, draft_data):
    campaign = submitted(manager, draft_data)
    with pytest.raises(NotAllowed):
        services.campaign_approve(campaign=campaign, user=manager)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.PENDING_APPROVAL


def test_another_manager_of_the_branch_approves_and_both_are_on_record(manager, second_manager, draft_data):
    campaign = submitted(manager, draft_data)
    services.campaign_approve(campaign=campaign, user=second_manager)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED
    assert (campaign.created_by, campaign.submitted_by, campaign.approved_by) == (manager, manager, second_manager)
    assert campaign.approved_at is not None


def test_an_admin_may_approve(manager, admin_user, draft_data):
    campaign = submitted(manager, draft_data)
    assert services.campaign_approve(campaign=campaign, user=admin_user).status == CampaignStatus.APPROVED


def test_another_branchs_manager_can_neither_see_nor_approve_nor_launch(manager, second_manager,
                                                                         other_branch_manager, draft_data):
    campaign = submitted(manager, draft_data)
    assert not campaigns_for_user(user=other_branch_manager).filter(pk=campaign.pk).exists()
    with pytest.raises(NotFound):
        campaign_get(campaign_id=campaign.pk, user=other_branch_manager)
    with pytest.raises(NotFound):
        services.campaign_approve(campaign=campaign, user=other_branch_manager)
    services.campaign_approve(campaign=campaign, user=second_manager)
    with pytest.raises(NotFound):
        services.campaign_launch(campaign=campaign, user=other_branch_manager)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.APPROVED


def test_approving_twice_is_a_conflict(manager, second_manager, admin_user, draft_data):
    campaign = submitted(manager, draft_data)
    services.campaign_approve(campaign=campaign, user=second_manager)
    stale = Campaign.objects.get(pk=campaign.pk)
    stale.status = CampaignStatus.PENDING_APPROVAL  # as a second request read it before the first committed
    with pytest.raises(CampaignStatusError):
        services.campaign_approve(campaign=stale, user=admin_user)
    assert Campaign.objects.get(pk=campaign.pk).approved_by == second_manager


def test_a_draft_cannot_be_launched_and_a_launched_campaign_cannot_be_edited(
        manager, second_manager, draft_data, queued, django_capture_on_commit_callbacks):
    campaign = services.campaign_create(user=manager, data=draft_data)
    with pytest.raises(CampaignStatusError):
        services.campaign_launch(campaign=campaign, user=manager)
    services.campaign_submit(campaign=campaign, user=manager)
    with pytest.raises(CampaignStatusError):
        services.campaign_update(campaign=campaign, user=manager, data={"name": "late change"})
    services.campaign_approve(campaign=campaign, user=second_manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_launch(campaign=campaign, user=manager)
    with pytest.raises(CampaignStatusError):
        services.campaign_launch(campaign=campaign, user=manager)
    assert queued == [("fanout", campaign.pk)]  # on commit, once


def test_launch_with_a_future_send_time_schedules_and_the_sweeper_starts_it(manager, second_manager, draft_data,
                                                                           queued, django_capture_on_commit_callbacks):
    now = timezone.now()
    campaign = submitted(manager, {**draft_data, "send_at": (now + dt.timedelta(hours=2)).isoformat()})
    services.campaign_approve(campaign=campaign, user=second_manager)
    services.campaign_launch(campaign=campaign, user=manager, now=now)
    assert campaign.status == CampaignStatus.SCHEDULED and queued == []
    assert services.campaigns_sweep(now=now + dt.timedelta(hours=1)).started == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaigns_sweep(now=now + dt.timedelta(hours=2, minutes=1)).started == [campaign.pk]
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.RUNNING
    assert queued == [("fanout", campaign.pk)]


def test_returning_for_changes_makes_it_a_draft_again(manager, second_manager, draft_data):
    campaign = submitted(manager, draft_data)
    services.campaign_return(campaign=campaign, user=second_manager)
    services.campaign_update(campaign=campaign, user=manager, data={"name": "改过了"})
    assert Campaign.objects.get(pk=campaign.pk).name == "改过了"


def test_cancelling_skips_what_has_not_been_sent(manager, branch, product):
    campaign = CampaignFactory(product=product, branch=branch, status=CampaignStatus.RUNNING, created_by=manager)
    sent = CampaignRecipient.objects.create(campaign=campaign, customer=customer_with(branch=branch), channel="SMS",
                                            status=RecipientStatus.SENT, sent_at=timezone.now())
    waiting = CampaignRecipient.objects.create(campaign=campaign, customer=customer_with(branch=branch),
                                               channel="SMS")
    services.campaign_cancel(campaign=campaign, user=manager)
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert sent.status == RecipientStatus.SENT
    assert (waiting.status, waiting.skip_reason) == (RecipientStatus.SKIPPED, SkipReason.CANCELLED)


def test_the_approval_queue_lists_others_campaigns_only(manager, second_manager, draft_data):
    campaign = submitted(manager, draft_data)
    assert list(campaigns_awaiting_approval(user=second_manager)) == [campaign]
    assert list(campaigns_awaiting_approval(user=manager)) == []
