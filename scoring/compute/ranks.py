"""Percentile ranks, the value score, tiers and the explanation of a customer's value."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from django.conf import settings

from .windows import COMPONENTS, NO_RECENCY, QUANTILES, Population


def rank_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The figure each component ranks on (bigger is better)."""
    recency = frame["recency_days"].astype("float64")
    return pd.DataFrame({
        "aum": frame["aum"].astype(float),
        "revenue": frame["revenue_estimate"],
        "card_spend": frame["card_spend"].astype(float),
        "frequency": frame["frequency"].astype(float),
        "recency": (-recency).fillna(NO_RECENCY),
        "products": frame["product_count"].astype(float),
    }, index=frame.index)


def quantiles_of(values: pd.Series) -> list[float]:
    return [float(v) for v in np.quantile(values.to_numpy(dtype=float), QUANTILES)]


def percentile(values: pd.Series, quantiles: list[float]) -> np.ndarray:
    """Mid-rank of each value among the quantiles, 0..1: ties share the middle of their run."""
    q = np.asarray(quantiles, dtype=float)
    v = values.to_numpy(dtype=float)
    return (np.searchsorted(q, v, side="left") + np.searchsorted(q, v, side="right")) / (2.0 * len(q))


def value_scores(frame: pd.DataFrame, quantiles: dict[str, list[float]]) -> pd.DataFrame:
    ranks = rank_values(frame)
    weights = settings.SCORING_WEIGHTS
    pct = pd.DataFrame({c: percentile(ranks[c], quantiles[c]) for c in COMPONENTS}, index=frame.index)
    score = sum(pct[c] * weights[c] for c in COMPONENTS) * 100
    frame["value_score"] = score.round(2)
    # the two components this customer ranks best on (when above the middle), strongest first
    ordered = np.argsort(-pct[COMPONENTS].to_numpy(), axis=1, kind="stable")[:, :2]
    best = np.take_along_axis(pct[COMPONENTS].to_numpy(), ordered, axis=1)
    codes = np.array(COMPONENTS)[ordered]
    frame["driver1"] = np.where(best[:, 0] >= 0.6, codes[:, 0], None)
    frame["driver2"] = np.where(best[:, 1] >= 0.6, codes[:, 1], None)
    return frame


def tiers_assign_full(frame: pd.DataFrame) -> list[dict]:
    """Tiers by position in (score desc, customer id asc): each tier gets its configured share.

    Returns the cut-offs: the (score, customer id) of the last customer of each tier but the last,
    so an incremental run puts a customer in the same tier the full run would.
    """
    order = frame.sort_values(["value_score", "customer_id"], ascending=[False, True]).index
    n = len(order)
    position = pd.Series(np.arange(n), index=order).reindex(frame.index)
    frame["top_percent"] = ((position + 1) * 100.0 / max(n, 1)).round(2)
    frame["value_percentile"] = ((n - position) * 100.0 / max(n, 1)).round(2)
    tiers = settings.SCORING_TIER_SHARES
    cumulative, bounds = 0.0, []
    for _tier, share in tiers:
        cumulative += share
        bounds.append(min(n, math.floor(cumulative * n + 0.5)))
    bounds[-1] = n
    index = np.searchsorted(np.array(bounds), position.to_numpy(), side="right")
    frame["tier"] = np.array([t for t, _ in tiers])[index]
    cutoffs = []
    for (tier, _share), bound in zip(tiers[:-1], bounds[:-1], strict=True):
        if bound == 0:
            cutoffs.append({"tier": tier, "score": None, "customer_id": None})
            continue
        last = frame.loc[order[bound - 1]]
        cutoffs.append({"tier": tier, "score": float(last["value_score"]), "customer_id": int(last["customer_id"])})
    return cutoffs


def tiers_assign_from(frame: pd.DataFrame, population: Population) -> None:
    """Tiers and ranks of an incremental run, from the stored cut-offs and score quantiles."""
    score = frame["value_score"].to_numpy(dtype=float)
    ids = frame["customer_id"].to_numpy()
    tiers = [t for t, _ in settings.SCORING_TIER_SHARES]
    assigned = np.full(len(frame), tiers[-1], dtype=object)
    undecided = np.ones(len(frame), dtype=bool)
    for cut in population.tier_cutoffs:
        if cut["score"] is None:
            continue
        reaches = (score > cut["score"]) | ((score == cut["score"]) & (ids <= cut["customer_id"]))
        take = undecided & reaches
        assigned[take] = cut["tier"]
        undecided &= ~take
    frame["tier"] = assigned
    below = np.searchsorted(np.asarray(population.score_quantiles), score, side="right") / len(QUANTILES)
    frame["value_percentile"] = np.round(below * 100.0, 2)
    frame["top_percent"] = np.clip(np.round((1.0 - below) * 100.0, 2), 0.01, 100.0)


def explanation(frame: pd.DataFrame) -> pd.Series:
    """The stored (English) explanation; pages render the same facts in the reader's language."""
    labels = {"aum": "AUM", "revenue": "estimated revenue", "card_spend": "card spend", "frequency": "transactions",
              "recency": "recent activity", "products": "products held"}
    d1 = frame["driver1"].map(labels)
    d2 = frame["driver2"].map(labels)
    drivers = (d1.fillna("value score")).where(d2.isna(), d1 + " and " + d2)
    top = frame["top_percent"].map(display_percent)
    return frame["tier"] + ": top " + top + " % by " + drivers


def display_percent(value) -> str:
    """"top 2 %": whole percents rounded up; under 1 % shown as 1."""
    return str(max(1, math.ceil(float(value) - 1e-9)))
