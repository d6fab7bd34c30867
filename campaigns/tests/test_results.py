"""Results: conversions from accounts inside the window, the funnel, and lift against the holdout."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from campaigns.models import CampaignRecipient, CampaignStatus, RecipientStatus, SkipReason
from campaigns.selectors import campaign_results
from campaigns.services.results import campaign_results_compute, campaigns_results_recompute
from campaigns.stats import lift_interval

from .factories import CampaignFactory, customer_with, holding

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.datetime(2025, 3, 1, 10, 0, tzinfo=SHANGHAI)


def test_lift_interval_worked_example():
    # 30/200 = 0.15 against 10/200 = 0.05: difference 0.10,
    # se = sqrt(0.15*0.85/200 + 0.05*0.95/200) = sqrt(0.000875) = 0.0295804, 1.959964*se = 0.0579766
    lift = lift_interval(treated_converted=30, treated_size=200, holdout_converted=10, holdout_size=200)
    assert lift["absolute"] == pytest.approx(0.10)
    assert lift["ci_low"] == pytest.approx(0.042023, abs=1e-6)
    assert lift["ci_high"] == pytest.approx(0.157977, abs=1e-6)
    assert lift["relative"] == pytest.approx(2.0)


def test_lift_is_none_without_a_holdout_and_relative_is_none_when_the_holdout_never_converts():
    assert lift_interval(treated_converted=3, treated_size=10, holdout_converted=0, holdout_size=0) is None
    assert lift_interval(treated_converted=3, treated_size=10, holdout_converted=0, holdout_size=10)["relative"] is None


@pytest.mark.django_db
def test_conversion_and_holdout_lift_on_a_crafted_campaign(branch, product, manager):
    from accounts.tests.factories import ProductFactory

    campaign = CampaignFactory(product=product, branch=branch, channels=["SMS", "EMAIL"], created_by=manager,
                               status=CampaignStatus.COMPLETED, launched_at=START, started_at=START,
                               conversion_window_days=30, holdout_share="0.5")
    other_product = ProductFactory(code="OTHER", kind="SAVINGS")

    def recipient(channel="SMS", sent=START, **fields):
        customer = customer_with(branch=branch)
        defaults = {"status": RecipientStatus.SENT, "sent_at": sent}
        if fields.get("holdout"):
            defaults = {"status": RecipientStatus.SKIPPED, "skip_reason": SkipReason.HOLDOUT, "sent_at": None}
        return CampaignRecipient.objects.create(campaign=campaign, customer=customer, channel=channel,
                                                **{**defaults, **fields})

    # treated: 7 SMS on 1 March, 3 EMAIL on 2 March
    sms = [recipient(delivered_at=START if n < 5 else None) for n in range(7)]
    email = [recipient("EMAIL", START + dt.timedelta(days=1), delivered_at=START + dt.timedelta(days=1))
             for _ in range(3)]
    holding(sms[0].customer, product, opened_at=dt.date(2025, 3, 1))    # the day of contact: converted
    holding(sms[1].customer, product, opened_at=dt.date(2025, 3, 31))   # day 30: converted
    holding(sms[2].customer, product, opened_at=dt.date(2025, 4, 1))    # day 31: too late
    holding(sms[3].customer, other_product, opened_at=dt.date(2025, 3, 2))  # another product
    holding(email[0].customer, product, opened_at=dt.date(2025, 3, 1))  # before its contact on 2 March
    CampaignRecipient.objects.filter(pk=sms[4].pk).update(responded_at=START, response="interested")
    # holdout: 10, one of whom opened the product inside the window counted from the start
    holdout = [recipient(holdout=True) for _ in range(10)]
    holding(holdout[0].customer, product, opened_at=dt.date(2025, 3, 15))
    # excluded at launch: not targeted
    recipient(status=RecipientStatus.SKIPPED, skip_reason=SkipReason.HOLDS_PRODUCT, sent_at=None)

    campaign_results_compute(campaign_id=campaign.pk, now=START + dt.timedelta(days=40))
    data = campaign_results(campaign=type(campaign).objects.get(pk=campaign.pk))

    assert data["funnel"] == {"targeted": 10, "sent": 10, "delivered": 8, "responded": 1, "converted": 2,
                              "failed": 0, "opted_out": 0}
    assert data["by_channel"]["SMS"]["converted"] == 2 and data["by_channel"]["EMAIL"]["sent"] == 3
    assert data["by_day"] == [
        {"date": "2025-03-01", "sent": 7, "delivered": 5, "responded": 1, "converted": 2},
        {"date": "2025-03-02", "sent": 3, "delivered": 3, "responded": 0, "converted": 0},
    ]
    assert data["treated"] == {"size": 10, "converted": 2, "rate": 0.2}
    assert data["holdout"] == {"size": 10, "converted": 1, "rate": 0.1}
    # 0.2 - 0.1 = 0.1; se = sqrt(0.2*0.8/10 + 0.1*0.9/10) = sqrt(0.025) = 0.158114; z*se = 0.309898
    assert data["lift"]["absolute"] == pytest.approx(0.1)
    assert (data["lift"]["ci_low"], data["lift"]["ci_high"]) == pytest.approx((-0.209898, 0.409898), abs=1e-6)
    assert data["lift"]["relative"] == pytest.approx(1.0)
    converted = CampaignRecipient.objects.filter(campaign=campaign, converted_at__isnull=False)
    assert converted.count() == 3  # two treated, one holdout
    assert converted.get(customer=sms[1].customer).converted_at == dt.datetime(2025, 3, 31, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_an_account_arriving_later_is_counted_at_the_next_recompute(branch, product, manager):
    campaign = CampaignFactory(product=product, branch=branch, created_by=manager, status=CampaignStatus.RUNNING,
                               launched_at=START, started_at=START)
    row = CampaignRecipient.objects.create(campaign=campaign, customer=customer_with(branch=branch), channel="SMS",
                                           status=RecipientStatus.SENT, sent_at=START)
    assert campaigns_results_recompute(now=START + dt.timedelta(days=2)) == [campaign.pk]
    assert campaign_results(campaign=type(campaign).objects.get(pk=campaign.pk))["funnel"]["converted"] == 0
    holding(row.customer, product, opened_at=dt.date(2025, 3, 5))
    campaigns_results_recompute(now=START + dt.timedelta(days=6))
    assert campaign_results(campaign=type(campaign).objects.get(pk=campaign.pk))["funnel"]["converted"] == 1
    # past its window (and a day's grace) the hourly run leaves it alone
    assert campaigns_results_recompute(now=START + dt.timedelta(days=32)) == []


@pytest.mark.django_db
def test_the_lift_compares_everyone_assigned_to_be_contacted_with_the_holdout(branch, product, manager):
    """Intention to treat: whoever the message did not reach stays in the contacted group's denominator."""
    campaign = CampaignFactory(product=product, branch=branch, channels=["SMS"], created_by=manager,
                               status=CampaignStatus.COMPLETED, launched_at=START, started_at=START,
                               conversion_window_days=30, holdout_share="0.5")

    def recipient(**fields):
        return CampaignRecipient.objects.create(campaign=campaign, customer=customer_with(branch=branch),
                                                channel="SMS", **fields)

    reached = [recipient(status=RecipientStatus.SENT, sent_at=START) for _ in range(4)]
    # consent withdrawn between launch and send: assigned, never reached; converts on the campaign's 3rd day
    unreached = [recipient(status=RecipientStatus.SKIPPED, skip_reason=SkipReason.CONSENT_REVOKED)
                 for _ in range(4)]
    holdout = [recipient(status=RecipientStatus.SKIPPED, skip_reason=SkipReason.HOLDOUT, holdout=True)
               for _ in range(8)]
    excluded = recipient(status=RecipientStatus.SKIPPED, skip_reason=SkipReason.HOLDS_PRODUCT)
    holding(reached[0].customer, product, opened_at=dt.date(2025, 3, 2))
    holding(unreached[0].customer, product, opened_at=dt.date(2025, 3, 3))
    holding(unreached[1].customer, product, opened_at=dt.date(2025, 3, 4))
    holding(holdout[0].customer, product, opened_at=dt.date(2025, 3, 5))
    holding(excluded.customer, product, opened_at=dt.date(2025, 3, 5))

    campaign_results_compute(campaign_id=campaign.pk, now=START + dt.timedelta(days=40))
    data = campaign_results(campaign=type(campaign).objects.get(pk=campaign.pk))

    assert data["assigned"] == {"size": 8, "converted": 3, "rate": 0.375}
    assert data["treated"] == {"size": 4, "converted": 1, "rate": 0.25}
    assert data["holdout"] == {"size": 8, "converted": 1, "rate": 0.125}
    assert data["lift"]["absolute"] == pytest.approx(0.25)           # 3/8 - 1/8
    assert data["lift_contacted"]["absolute"] == pytest.approx(0.125)  # 1/4 - 1/8
    assert data["funnel"]["converted"] == 1  # the funnel counts the contacted
    assert not CampaignRecipient.objects.filter(pk=excluded.pk, converted_at__isnull=False).exists()
