"""The demo's finished campaign: WM-GREEN, launched three weeks ago, sent, answered, converted, measured."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns.holdout import holdout_draw
from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus, SkipReason
from campaigns.selectors import campaign_results, offers_for_customer
from customers.models import Customer
from demo import generators
from demo.generators import campaign as demo_campaign

N = 150


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return generators.demo_seed(customers=N)


def test_one_finished_campaign_for_the_green_product_launched_three_weeks_ago(seeded):
    (campaign,) = Campaign.objects.all()
    assert (campaign.product.code, campaign.branch.code, campaign.status) == ("WM-GREEN", "SH001",
                                                                             CampaignStatus.COMPLETED)
    assert campaign.created_by.username == "manager_sh" and campaign.approved_by.username == "admin_sh"
    assert abs((timezone.now() - campaign.launched_at) - dt.timedelta(days=21)) < dt.timedelta(minutes=5)
    assert campaign.created_at < campaign.submitted_at < campaign.approved_at < campaign.launched_at


def test_its_recipients_were_sent_over_days_answered_converted_and_measured(seeded):
    (campaign,) = Campaign.objects.all()
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    assert recipients.filter(status=RecipientStatus.DELIVERED, channel__in=["SMS", "APP"]).exists()
    assert recipients.filter(channel="COUNTER", status=RecipientStatus.SENT).exists()
    # the holdout is the hash draw among the eligible (with 150 demo customers it may be empty: the
    # campaign's id, a sequence value, decides the draw)
    excluded = [SkipReason.HOLDS_PRODUCT, SkipReason.DO_NOT_CONTACT, SkipReason.NO_CONSENT, SkipReason.FREQUENCY_CAP]
    eligible = recipients.exclude(skip_reason__in=excluded).values_list("customer_id", flat=True)
    bucket = campaign.holdout_share * 10_000
    holdout = set(recipients.filter(holdout=True).values_list("customer_id", flat=True))
    assert holdout == {c for c in eligible if holdout_draw(campaign.pk, c) < bucket}
    assert recipients.exclude(response="").exists()
    assert recipients.filter(converted_at__isnull=False, holdout=False).exists()
    days = {timezone.localdate(at) for at in recipients.filter(sent_at__isnull=False).values_list("sent_at",
                                                                                                  flat=True)}
    assert len(days) == demo_campaign.SEND_DAYS
    results = campaign_results(campaign=campaign)
    assert results["funnel"]["sent"] == recipients.filter(sent_at__isnull=False).count()
    assert results["funnel"]["converted"] > 0 and len(results["by_day"]) == demo_campaign.SEND_DAYS
    if holdout:
        assert results["lift"] is not None and results["lift"]["absolute"] > 0
    else:
        assert results["lift"] is None


def test_a_teller_has_counter_offers_to_pitch(seeded):
    customer = Customer.objects.get(customer_no=seeded.offer_customer)
    (offer,) = offers_for_customer(customer=customer)
    assert offer.campaign.name == demo_campaign.NAME and customer.display_name in offer.pitch


def test_a_second_run_adds_no_campaign(seeded):
    before = CampaignRecipient.objects.count()
    again = generators.demo_seed(customers=N)
    assert Campaign.objects.count() == 1 and CampaignRecipient.objects.count() == before
    assert again.created["campaigns"] == 0
