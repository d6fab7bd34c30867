"""The SQL of a refresh: one pass per family of figures, grouped by customer."""

from __future__ import annotations

import pandas as pd
from django.conf import settings
from django.db import connection

from accounts.models import DEPOSIT_KINDS, LIABILITY_KINDS, WEALTH_KINDS, Account, AccountStatus, Product
from customers.models import Customer
from transactions.models import MerchantCategory, Transaction

from .windows import CHANNELS, CURRENCY, TIMES_OF_DAY, Windows


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _customer_filter(alias: str, customer_ids) -> str:
    return "" if customer_ids is None else f" AND {alias}.customer_id = ANY(%(ids)s)"


def _frame(sql: str, params: dict) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c.name for c in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def _hour_filter(start: int, end: int) -> str:
    return f"local_hour >= {start} AND local_hour < {end}"


def transaction_figures_sql(customer_ids) -> str:
    """Value, habit and signal figures per customer: one pass over the window."""
    not_system = "t.channel <> 'SYSTEM'"
    in_ccy = "t.currency = %(ccy)s"
    channel_counts = ",\n".join(
        f"count(*) FILTER (WHERE t.channel = '{c}' AND t.occurred_at > %(channel_from)s) AS ch_{c.lower()}"
        for c in CHANNELS)
    times = ",\n".join(
        f"count(*) FILTER (WHERE {not_system} AND t.occurred_at > %(value_from)s AND {_hour_filter(*hours)})"
        f" AS tod_{name.lower()}" for name, hours in TIMES_OF_DAY.items())
    return f"""
        SELECT t.customer_id,
            max(t.occurred_at) FILTER (WHERE {not_system}) AS last_at,
            count(*) FILTER (WHERE {not_system} AND t.occurred_at > %(value_from)s) AS frequency,
            coalesce(sum(t.amount) FILTER (WHERE {not_system} AND t.direction = 'DEBIT' AND {in_ccy}
                                           AND t.occurred_at > %(value_from)s), 0) AS monetary,
            coalesce(sum(t.amount) FILTER (WHERE t.channel = 'POS' AND t.direction = 'DEBIT' AND {in_ccy}
                                           AND t.occurred_at > %(value_from)s), 0) AS card_spend,
            {channel_counts},
            {times},
            count(*) FILTER (WHERE {not_system} AND t.occurred_at > %(activity_from)s) AS activity_90d,
            count(*) FILTER (WHERE {not_system} AND t.occurred_at > %(prior_from)s
                             AND t.occurred_at <= %(activity_from)s) AS activity_prior_90d,
            coalesce(sum(CASE WHEN t.direction = 'DEBIT' THEN t.amount ELSE -t.amount END)
                     FILTER (WHERE {in_ccy} AND t.occurred_at > %(outflow_from)s), 0) AS net_outflow_30d
        FROM (SELECT t.*, extract(hour FROM t.occurred_at AT TIME ZONE %(tz)s) AS local_hour
              FROM {_table(Transaction)} t
              WHERE t.occurred_at > %(earliest)s AND t.occurred_at <= %(as_of)s{_customer_filter("t", customer_ids)}
             ) t
        GROUP BY t.customer_id
    """  # noqa: S608 (table names from the models, values as parameters)


def category_spend_sql(customer_ids) -> str:
    """Merchant spend per customer and category: the second pass over the window."""
    return f"""
        SELECT t.customer_id, mc.category, sum(t.amount) AS spend
        FROM {_table(Transaction)} t
        JOIN {_table(MerchantCategory)} mc ON mc.mcc = t.mcc
        WHERE t.direction = 'DEBIT' AND t.channel <> 'SYSTEM' AND t.currency = %(ccy)s
          AND t.occurred_at > %(value_from)s AND t.occurred_at <= %(as_of)s{_customer_filter("t", customer_ids)}
        GROUP BY t.customer_id, mc.category
    """  # noqa: S608 (table names from the models, values as parameters)


def account_figures_sql(customer_ids) -> str:
    """AUM, loans and products held per customer, from the accounts open at as_of."""
    return f"""
        SELECT a.customer_id,
            coalesce(sum(a.balance) FILTER (WHERE p.kind = ANY(%(aum_kinds)s) AND a.currency = %(ccy)s), 0) AS aum,
            coalesce(sum(a.balance) FILTER (WHERE p.kind = ANY(%(loan_kinds)s) AND a.currency = %(ccy)s), 0)
                AS loan_balance,
            count(DISTINCT a.product_id) AS product_count
        FROM {_table(Account)} a JOIN {_table(Product)} p ON p.id = a.product_id
        WHERE a.opened_at <= %(today)s
          AND NOT (a.status = '{AccountStatus.CLOSED}' AND (a.closed_at IS NULL OR a.closed_at <= %(today)s))
          {_customer_filter("a", customer_ids)}
        GROUP BY a.customer_id
    """  # noqa: S608 (table names from the models, values as parameters)


def customers_sql(customer_ids) -> str:
    where = "" if customer_ids is None else " AND c.id = ANY(%(ids)s)"
    return f"""
        SELECT c.id AS customer_id, c.date_of_birth, c.id_expiry, c.kyc_status, c.kyc_review_date,
               c.created_at
        FROM {_table(Customer)} c WHERE true{where}
    """  # noqa: S608 (table names from the models, values as parameters)


def last_transaction_sql() -> str:
    """Recency for customers with nothing in the window: one index look-up each, newest first."""
    return f"""
        SELECT c.id AS customer_id,
               (SELECT t.occurred_at FROM {_table(Transaction)} t
                WHERE t.customer_id = c.id AND t.occurred_at <= %(as_of)s AND t.channel <> 'SYSTEM'
                ORDER BY t.occurred_at DESC LIMIT 1) AS last_at
        FROM unnest(%(ids)s::bigint[]) AS c(id)
    """  # noqa: S608 (table names from the models, values as parameters)


def query_params(windows: Windows, customer_ids) -> dict:
    return {
        "as_of": windows.as_of, "today": windows.today, "earliest": windows.earliest,
        "value_from": windows.value_from, "channel_from": windows.channel_from,
        "activity_from": windows.activity_from, "prior_from": windows.prior_from,
        "outflow_from": windows.outflow_from, "tz": settings.TIME_ZONE, "ccy": CURRENCY,
        "aum_kinds": sorted(DEPOSIT_KINDS | WEALTH_KINDS), "loan_kinds": sorted(LIABILITY_KINDS),
        "ids": list(customer_ids) if customer_ids is not None else None,
    }


def figures_load(*, windows: Windows, customer_ids=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw figures: one row per customer, and merchant spend in long form (customer, category, spend)."""
    params = query_params(windows, customer_ids)
    customers = _frame(customers_sql(customer_ids), params)
    txns = _frame(transaction_figures_sql(customer_ids), params)
    spend = _frame(category_spend_sql(customer_ids), params)
    accounts = _frame(account_figures_sql(customer_ids), params)
    frame = customers.merge(accounts, on="customer_id", how="left").merge(txns, on="customer_id", how="left")
    without = frame.loc[frame["last_at"].isna(), "customer_id"].tolist()
    if without:
        earlier = _frame(last_transaction_sql(), {**params, "ids": without}).dropna()
        if not earlier.empty:
            frame = frame.set_index("customer_id")
            frame.loc[earlier["customer_id"], "last_at"] = earlier.set_index("customer_id")["last_at"]
            frame = frame.reset_index()
    return frame, spend
