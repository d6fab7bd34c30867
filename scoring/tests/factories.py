"""Score rows built directly (not computed): tests of what people see do not depend on the maths."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from scoring.compute import display_percent
from scoring.models import CustomerScore, RunKind, RunStatus, ScoreRun


class ScoreRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreRun

    kind = RunKind.FULL
    status = RunStatus.DONE
    as_of = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    started_at = factory.LazyAttribute(lambda o: o.as_of + dt.timedelta(minutes=1))
    finished_at = factory.LazyAttribute(lambda o: o.as_of + dt.timedelta(minutes=3))
    customers_scored = 100


class CustomerScoreFactory(factory.django.DjangoModelFactory):
    """A customer in tier A who mostly banks on the phone app and spends on dining and travel."""

    class Meta:
        model = CustomerScore

    customer = factory.SubFactory(CustomerFactory)
    as_of = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    computed_at = factory.LazyAttribute(lambda o: o.as_of + dt.timedelta(minutes=2))
    recency_days = 3
    frequency = 180
    monetary = Decimal("86400.00")
    card_spend = Decimal("52000.00")
    aum = Decimal("320000.00")
    loan_balance = Decimal("0.00")
    product_count = 3
    annual_revenue = Decimal("5112.00")
    value_score = Decimal("61.25")
    value_percentile = Decimal("72.00")
    tier = "A"
    top_percent = Decimal("28.00")
    drivers = factory.LazyFunction(lambda: ["aum", "card_spend"])
    channel_mix = factory.LazyFunction(lambda: {"MOBILE": 0.6, "POS": 0.3, "COUNTER": 0.1})
    self_service_ratio = Decimal("0.9000")
    preferred_channel = "MOBILE"
    category_shares = factory.LazyFunction(lambda: {"DINING": 0.5, "TRAVEL": 0.3, "CASH": 0.2})
    category_lift = factory.LazyFunction(lambda: {"DINING": 2.94, "TRAVEL": 1.5, "CASH": 0.8})
    top_categories = factory.LazyFunction(lambda: ["DINING", "TRAVEL"])
    usual_time_of_day = "EVENING"
    net_outflow_30d = Decimal("0.00")
    activity_90d = 45
    activity_prior_90d = 50
    alerts = factory.LazyFunction(list)
    explanation = factory.LazyAttribute(
        lambda o: f"{o.tier}: top {display_percent(o.top_percent)} % by AUM and card spend")
