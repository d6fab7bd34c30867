"""What a refresh looks at: the windows ending at as_of, and the population ranks are taken against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils import timezone

from transactions.models import Category, Channel

QUANTILES = np.linspace(0.0, 1.0, 1001)
# customer-initiated channels, in the order that breaks ties for the inferred preferred channel
CHANNELS = [c for c in Channel.values if c != Channel.SYSTEM]
SELF_SERVICE = [c for c in CHANNELS if c != Channel.COUNTER]
CATEGORIES = list(Category.values)
TIMES_OF_DAY = {"MORNING": (6, 12), "AFTERNOON": (12, 18), "EVENING": (18, 23)}  # the rest is NIGHT
COMPONENTS = ["aum", "revenue", "card_spend", "frequency", "recency", "products"]
NO_RECENCY = -1e9  # the rank value of "never transacted": below every real recency




@dataclass
class Windows:
    as_of: dt.datetime
    today: dt.date  # as_of's local date: what "days since" and the alerts count from
    value_from: dt.datetime
    channel_from: dt.datetime
    activity_from: dt.datetime
    prior_from: dt.datetime
    outflow_from: dt.datetime

    @classmethod
    def ending(cls, as_of: dt.datetime) -> Windows:
        def back(days: int) -> dt.datetime:
            return as_of - dt.timedelta(days=days)

        activity = settings.SCORING_ACTIVITY_DAYS
        return cls(as_of=as_of, today=timezone.localtime(as_of).date(),
                   value_from=back(settings.SCORING_VALUE_WINDOW_DAYS),
                   channel_from=back(settings.SCORING_CHANNEL_WINDOW_DAYS),
                   activity_from=back(activity), prior_from=back(2 * activity),
                   outflow_from=back(settings.SCORING_OUTFLOW_DAYS))

    @property
    def earliest(self) -> dt.datetime:
        return min(self.value_from, self.channel_from, self.prior_from, self.outflow_from)


@dataclass
class Population:
    """What ranks are taken against: stored with every full run, reused by incremental ones."""

    quantiles: dict[str, list[float]] = field(default_factory=dict)
    category_shares: dict[str, float] = field(default_factory=dict)
    tier_cutoffs: list[dict] = field(default_factory=list)  # best tier first: {"tier", "score", "customer_id"}
    score_quantiles: list[float] = field(default_factory=list)
    customers: int = 0

    def as_json(self) -> dict:
        return {"quantiles": self.quantiles, "category_shares": self.category_shares,
                "tier_cutoffs": self.tier_cutoffs, "score_quantiles": self.score_quantiles,
                "customers": self.customers}

    @classmethod
    def from_json(cls, data: dict) -> Population:
        return cls(quantiles=data["quantiles"], category_shares=data["category_shares"],
                   tier_cutoffs=data["tier_cutoffs"], score_quantiles=data["score_quantiles"],
                   customers=data["customers"])
