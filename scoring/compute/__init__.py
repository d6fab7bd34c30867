"""The maths of DESIGN §6, set-wise: SQL aggregates grouped by customer, pandas for ranks and blends.

One pass over the transactions window per family of figures (value and habits; spend by category),
one over accounts, one over the customers themselves. pandas turns the figures into percentile
ranks, the value score, the tier, the category lift and the alerts' inputs; scoring/store.py writes the JSON
columns as text (the alerts' in SQL) and upserts the rows. No Python loop per customer.

Ranks are taken against a distribution of 1,001 quantiles per figure. A full run computes those
quantiles from the whole population and stores them with the tier cut-offs (`ScoreRun.cutoffs`); an
incremental run ranks the customers it scores against the stored ones, so a customer whose data
did not change gets exactly the figures, score and tier the full run gave.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .alerts import alerts_inputs
from .figures import category_figures, category_lift, figures_derive, top_categories
from .queries import figures_load
from .ranks import (
    display_percent,
    explanation,
    quantiles_of,
    rank_values,
    tiers_assign_from,
    tiers_assign_full,
    value_scores,
)
from .windows import CATEGORIES, CHANNELS, COMPONENTS, Population, Windows

__all__ = ["CATEGORIES", "CHANNELS", "Population", "Windows", "display_percent", "scores_compute"]


def scores_compute(*, windows: Windows, customer_ids=None,
                   population: Population | None = None) -> tuple[pd.DataFrame, Population, dict]:
    """Every figure of every customer asked for (all when customer_ids is None), money in the base currency.

    Without `population` (a full run) the ranks are taken against the customers computed here, and
    the population returned is what a later incremental run ranks against. The dict is the run's money
    facts (queries.figures_load): the base currency, the rates used and the money left out for want of a rate.
    """
    frame, spend, money_facts = figures_load(windows=windows, customer_ids=customer_ids)
    if frame.empty:
        return frame, population or Population(), money_facts
    frame = figures_derive(frame, windows)
    shares, population_shares = category_figures(spend, frame["customer_id"])
    full = population is None
    # the population that ranks are taken against: live profiles (active or dormant). A closed, deceased or
    # merged profile is still scored (its page shows figures), against the live ones, and moves nobody's rank.
    live = frame["live"].fillna(False).astype(bool) if "live" in frame else pd.Series(True, index=frame.index)
    if not live.any():
        live = pd.Series(True, index=frame.index)
    if full:
        ranks = rank_values(frame[live])
        population = Population(quantiles={c: quantiles_of(ranks[c]) for c in COMPONENTS},
                                category_shares=population_shares, customers=int(live.sum()))
    lift = category_lift(shares, population.category_shares)
    # as integers (shares in basis points, lift in hundredths): exact, and store.json_object writes them as the
    # decimals of the stored JSON without a float's formatting
    shares_wide = (np.rint(shares * 10_000).astype("int64")
                   .rename(columns=lambda c: f"cat_{c.lower()}").reset_index(drop=True))
    lift_wide = (np.rint(lift * 100).astype("Int64")
                 .rename(columns=lambda c: f"lift_{c.lower()}").reset_index(drop=True))
    tops = top_categories(shares).reset_index(drop=True)
    frame = pd.concat([frame.reset_index(drop=True), shares_wide, lift_wide, tops], axis=1)
    frame = value_scores(frame, population.quantiles)
    if full:
        ranked = frame.loc[live].copy()
        population.tier_cutoffs = tiers_assign_full(ranked)
        population.score_quantiles = quantiles_of(ranked["value_score"])
        others = frame.loc[~live].copy()
        if len(others):
            tiers_assign_from(others, population)
        for column in ("tier", "top_percent", "value_percentile"):
            frame[column] = pd.concat([ranked[column], others[column]]) if len(others) else ranked[column]
    else:
        tiers_assign_from(frame, population)
    frame = alerts_inputs(frame, windows)
    frame["explanation"] = explanation(frame)
    return frame, population, money_facts
