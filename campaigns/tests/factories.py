"""Factories for campaigns and the population they reach: customers with consents, scores, holdings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import AccountFactory, ProductFactory
from campaigns.models import Campaign, CampaignStatus
from customers.models import ConsentRecord, ConsentSource
from customers.tests.factories import CustomerFactory
from scoring.models import CustomerScore

ZH_SMS = {"zh-hans": {"body": "尊敬的{name}，{branch}为您推荐{product}。"},
          "en": {"body": "Dear {name}, {branch} recommends {product}."}}
MESSAGES = {
    "SMS": ZH_SMS,
    "APP": ZH_SMS,
    "EMAIL": {"zh-hans": {"subject": "{name}，新品{product}", "body": "尊敬的{name}：\n{branch}为您推荐{product}。"},
              "en": {"subject": "{name}, meet {product}", "body": "Dear {name},\n{branch} recommends {product}."}},
    "PHONE": {"zh-hans": {"body": "致电{name}介绍{product}"}},
    "COUNTER": {"zh-hans": {"body": "向{name}介绍{product}"}, "en": {"body": "Offer {product} to {name}"}},
}


def customer_with(*, branch, consents=("SMS",), **fields):
    """A customer of `branch` who granted the given channels (newest record per channel wins)."""
    customer = CustomerFactory(home_branch=branch, **fields)
    for channel in consents:
        consent(customer, channel, True)
    return customer


def consent(customer, channel: str, granted: bool, at: dt.datetime | None = None) -> ConsentRecord:
    return ConsentRecord.objects.create(customer=customer, channel=channel, granted=granted,
                                        source=ConsentSource.COUNTER, at=at or timezone.now())


def score_for(customer, **fields) -> CustomerScore:
    now = timezone.now()
    values = {"as_of": now, "computed_at": now, "tier": "B", "aum": Decimal("0")}
    values.update(fields)
    return CustomerScore.objects.create(customer=customer, **values)


def holding(customer, product, **fields):
    return AccountFactory(customer=customer, product=product, **fields)


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign row as the services would leave it; `status` sets where in its life it is."""

    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    product = factory.SubFactory(ProductFactory, code="WM-NEW", name="稳享理财", name_en="Steady Wealth",
                                 kind="WEALTH")
    branch = None
    status = CampaignStatus.DRAFT
    channels = factory.LazyFunction(lambda: ["SMS"])
    messages = factory.LazyFunction(lambda: dict(MESSAGES))
    audience = factory.LazyFunction(dict)
    holdout_share = Decimal("0")
    frequency_cap = 5

    @factory.lazy_attribute
    def created_by(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.create_user(username=f"author{Campaign.objects.count()}-{id(self)}")


def running(campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    """Put a campaign straight into running, as a launch would (without queueing anything)."""
    now = now or timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING, launched_at=now, started_at=now)
    campaign.refresh_from_db()
    return campaign


