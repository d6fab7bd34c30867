"""From raw aggregates to the figures the teller reads: money, recency, revenue, habits, categories."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings

from transactions.models import Category

from .windows import CATEGORIES, CHANNELS, SELF_SERVICE, TIMES_OF_DAY, Windows

ZERO = Decimal("0.00")
MONEY_COLUMNS = ["aum", "loan_balance", "monetary", "card_spend", "net_outflow_30d"]


def figures_derive(frame: pd.DataFrame, windows: Windows) -> pd.DataFrame:
    """Counts, money, recency, habits; the revenue estimate (as a float) the ranks need.

    Money stays the Decimals PostgreSQL summed (NUMERIC(18,2)); the stored revenue is computed
    exactly in SQL as the rows are written (scoring/store.py), from the same figures and margins.
    """
    counts = ["frequency", "activity_90d", "activity_prior_90d", "product_count",
              *[f"ch_{c.lower()}" for c in CHANNELS], *[f"tod_{t.lower()}" for t in TIMES_OF_DAY]]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    for column in MONEY_COLUMNS:
        frame[column] = frame[column].astype(object).fillna(ZERO)  # customers without accounts or transactions
    frame["revenue_estimate"] = (
        frame["aum"].astype(float).clip(lower=0) * float(settings.SCORING_DEPOSIT_MARGIN)
        + frame["loan_balance"].astype(float) * float(settings.SCORING_LOAN_MARGIN)
        + frame["card_spend"].astype(float) * float(settings.SCORING_INTERCHANGE_RATE))

    last_local = pd.to_datetime(frame["last_at"], utc=True).dt.tz_convert(settings.TIME_ZONE).dt.normalize()
    today = pd.Timestamp(windows.today).tz_localize(settings.TIME_ZONE)
    frame["recency_days"] = (today - last_local).dt.days.astype("Int64")

    channel_counts = frame[[f"ch_{c.lower()}" for c in CHANNELS]].to_numpy()
    totals = channel_counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals[:, None] > 0, channel_counts / totals[:, None], 0.0)
        self_service = channel_counts[:, [CHANNELS.index(c) for c in SELF_SERVICE]].sum(axis=1) / totals
    for i, channel in enumerate(CHANNELS):
        # in basis points (store.json_object writes the channel mix from them)
        frame[f"share_{channel.lower()}"] = np.rint(shares[:, i] * 10_000).astype("int64")
    frame["self_service_ratio"] = pd.Series(np.round(self_service, 4), index=frame.index).where(totals > 0)
    frame["preferred_channel"] = np.where(totals > 0, np.array(CHANNELS)[channel_counts.argmax(axis=1)], "")

    time_counts = frame[[f"tod_{t.lower()}" for t in TIMES_OF_DAY]].to_numpy()
    night = frame["frequency"].to_numpy() - time_counts.sum(axis=1)
    all_times = np.column_stack([time_counts, night])
    names = np.array([*TIMES_OF_DAY, "NIGHT"])
    frame["usual_time_of_day"] = np.where(frame["frequency"] > 0, names[all_times.argmax(axis=1)], "")
    return frame


def category_figures(spend: pd.DataFrame, customer_ids: pd.Series) -> tuple[pd.DataFrame, dict[str, float]]:
    """Spend share per category (wide, one column per category) and this population's shares."""
    wide = (spend.assign(spend=spend["spend"].astype(float))
            .pivot_table(index="customer_id", columns="category", values="spend", aggfunc="sum", fill_value=0.0)
            .reindex(index=customer_ids, columns=CATEGORIES, fill_value=0.0))
    totals = wide.sum(axis=1)
    shares = wide.div(totals.where(totals > 0), axis=0).fillna(0.0).round(4)
    population_total = float(wide.to_numpy().sum())
    population = ({c: round(float(wide[c].sum()) / population_total, 6) for c in CATEGORIES}
                  if population_total > 0 else {})
    return shares, population


def category_lift(shares: pd.DataFrame, population: dict[str, float]) -> pd.DataFrame:
    base = pd.Series({c: population.get(c, 0.0) for c in CATEGORIES})
    lift = shares.div(base.where(base > 0), axis=1)
    return lift.where(shares > 0).round(2)


def top_categories(shares: pd.DataFrame, count: int = 3) -> pd.DataFrame:
    """The customer's biggest spending categories (cash withdrawals are not a preference); code breaks ties."""
    ranked = shares.drop(columns=[Category.CASH])
    columns = sorted(ranked.columns)
    values = ranked[columns].to_numpy()
    order = np.argsort(-values, axis=1, kind="stable")[:, :count]
    codes = np.array(columns)[order]
    picked = np.take_along_axis(values, order, axis=1)
    return pd.DataFrame(np.where(picked > 0, codes, None), index=shares.index,
                        columns=[f"top{i + 1}" for i in range(count)])
