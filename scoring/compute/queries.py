"""The SQL of a refresh: one pass per family of figures, grouped by customer; money in the base currency."""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db import connection, transaction

from accounts.models import DEPOSIT_KINDS, LIABILITY_KINDS, WEALTH_KINDS, Account, Product
from customers.models import Customer
from transactions.models import MerchantCategory, Transaction

from . import money
from .money import OPEN_AT_AS_OF, Rates, local_day, transactions_from
from .windows import CHANNELS, TIMES_OF_DAY, Windows

_table = money.table


def _customer_join(alias: str, customer_ids) -> str:
    """An incremental run's customers: a join to the ids table (see money.window_table_create)."""
    return "" if customer_ids is None else f"JOIN pg_temp.{money.IDS} ids ON ids.customer_id = {alias}.customer_id"


# the columns read as exact Decimals (NUMERIC sums); every other number is parsed by pandas' C parser
MONEY = ("aum", "loan_balance", "monetary", "card_spend", "net_outflow_30d")
BOOLEANS = ("live",)
DATES = ("date_of_birth", "id_expiry", "kyc_review_date")  # as text ("" = none), parsed where they are used
TIMESTAMPS = ("last_at", "created_at")  # timestamptz as PostgreSQL writes it (UTC: Django's connection time zone)


def _frame(sql: str, params: dict) -> pd.DataFrame:
    """The query's rows as a frame, through `COPY (query) TO STDOUT` and pandas' CSV parser.

    Building a frame from fetched tuples cost more than the queries' own fetch (measured on dataset M: 2.5 s of
    Python for 100,000 customers' figures, against ≈ 0.5 s this way): the C parser types the columns at once.
    Money stays exact: read as text and made Decimals. Booleans come as t/f. COPY of a query is planned like the
    query (parallel workers included); the parameters are bound by psycopg2 as `execute` would. Timestamps are
    parsed here.
    """
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
    buffer.seek(0)
    frame = pd.read_csv(buffer, dtype=dict.fromkeys((*MONEY, *BOOLEANS, *DATES), str), keep_default_na=False,
                        na_values=[""])
    for name in MONEY:
        if name in frame:
            frame[name] = [Decimal(value) for value in frame[name].tolist()]
    for name in BOOLEANS:
        if name in frame:
            frame[name] = frame[name] == "t"
    for name in TIMESTAMPS:
        if name in frame:  # ISO 8601 whatever the row: fractions of a second are written only when not zero
            frame[name] = pd.to_datetime(frame[name], format="ISO8601", utc=True)
    return frame


def _hour_filter(start: int, end: int) -> str:
    return f"local_hour >= {start} AND local_hour < {end}"


def _money(rates: Rates | None, alias: str, amount: str, day: str) -> str:
    """The amount in the base currency (money.Rates.to_base); with no rates, the amount as it is, whatever its
    currency: what bench/scoring.py times to report the conversion's share."""
    return amount if rates is None else rates.to_base(alias, amount, day)


def transaction_figures_sql(customer_ids, rates: Rates | None) -> str:
    """Value, habit and signal figures per customer: one pass over the window.

    `base_amount` is each amount in the base currency at the rate of its local day (NULL without one: left
    out of the sums and counted in `unconverted_rows`).
    """
    base_amount = _money(rates, "t", "t.amount", local_day("t"))
    not_system = "t.channel <> 'SYSTEM'"
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
            coalesce(sum(t.base_amount) FILTER (WHERE {not_system} AND t.direction = 'DEBIT'
                                                AND t.occurred_at > %(value_from)s), 0) AS monetary,
            coalesce(sum(t.base_amount) FILTER (WHERE t.channel = 'POS' AND t.direction = 'DEBIT'
                                                AND t.occurred_at > %(value_from)s), 0) AS card_spend,
            {channel_counts},
            {times},
            count(*) FILTER (WHERE {not_system} AND t.occurred_at > %(activity_from)s) AS activity_90d,
            count(*) FILTER (WHERE {not_system} AND t.occurred_at > %(prior_from)s
                             AND t.occurred_at <= %(activity_from)s) AS activity_prior_90d,
            coalesce(sum(CASE WHEN t.direction = 'DEBIT' THEN t.base_amount ELSE -t.base_amount END)
                     FILTER (WHERE t.occurred_at > %(outflow_from)s), 0) AS net_outflow_30d,
            count(*) FILTER (WHERE t.base_amount IS NULL) AS unconverted_rows
        FROM (SELECT t.customer_id, t.channel, t.direction, t.occurred_at,
                     extract(hour FROM t.occurred_at AT TIME ZONE %(tz)s) AS local_hour,
                     {base_amount} AS base_amount
              FROM {transactions_from(customer_ids, "%(earliest)s")}
              OFFSET 0  -- computed once a row: flattened, each aggregate would repeat the conversion
             ) t
        GROUP BY t.customer_id
    """  # noqa: S608 (table names from the models, values as parameters)


def category_spend_sql(customer_ids, rates: Rates | None) -> str:
    """Merchant spend per customer and category, in the base currency: the second pass over the window."""
    base_amount = _money(rates, "t", "t.amount", local_day("t"))
    return f"""
        SELECT t.customer_id, mc.category, sum(t.base_amount) AS spend
        FROM (SELECT t.customer_id, t.mcc, {base_amount} AS base_amount
              FROM {transactions_from(customer_ids, "%(value_from)s")}
                AND t.direction = 'DEBIT' AND t.channel <> 'SYSTEM') t
        JOIN {_table(MerchantCategory)} mc ON mc.mcc = t.mcc
        GROUP BY t.customer_id, mc.category
    """  # noqa: S608 (table names from the models, values as parameters)


def account_figures_sql(customer_ids, rates: Rates | None) -> str:
    """AUM, loans and products held per customer, from the accounts open at as_of, at as_of's rates."""
    base_balance = _money(rates, "a", "a.balance", "%(today)s::date")
    return f"""
        SELECT a.customer_id,
            coalesce(sum({base_balance}) FILTER (WHERE p.kind = ANY(%(aum_kinds)s)), 0) AS aum,
            coalesce(sum({base_balance}) FILTER (WHERE p.kind = ANY(%(loan_kinds)s)), 0) AS loan_balance,
            count(DISTINCT a.product_id) AS product_count,
            count(*) FILTER (WHERE p.kind = ANY(%(money_kinds)s) AND {base_balance} IS NULL) AS unconverted_accounts
        FROM {_table(Account)} a JOIN {_table(Product)} p ON p.id = a.product_id {_customer_join("a", customer_ids)}
        WHERE {OPEN_AT_AS_OF}
        GROUP BY a.customer_id
    """  # noqa: S608 (table names from the models, values as parameters)


def customers_sql(customer_ids) -> str:
    join = "" if customer_ids is None else f"JOIN pg_temp.{money.IDS} ids ON ids.customer_id = c.id"
    return f"""
        SELECT c.id AS customer_id, c.date_of_birth, c.id_expiry, c.kyc_status, c.kyc_review_date,
               c.created_at, c.status IN ('ACTIVE', 'DORMANT') AS live
        FROM {_table(Customer)} c {join}
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
        "first_day": money.first_day(windows.earliest),
        "value_from": windows.value_from, "channel_from": windows.channel_from,
        "activity_from": windows.activity_from, "prior_from": windows.prior_from,
        "outflow_from": windows.outflow_from, "tz": settings.TIME_ZONE, "base": settings.BASE_CURRENCY,
        "aum_kinds": sorted(DEPOSIT_KINDS | WEALTH_KINDS), "loan_kinds": sorted(LIABILITY_KINDS),
        "money_kinds": sorted(DEPOSIT_KINDS | WEALTH_KINDS | LIABILITY_KINDS),
        "ids": list(customer_ids) if customer_ids is not None else None,
    }


def session_settings(customer_ids=None) -> None:
    """The run's queries sort and hash a whole population: with PostgreSQL's default 4 MB of work_mem per sort
    they spill to disk (external merges of 30 MB and more per worker). For the run's transaction only.

    A full run reads every transaction of the window: in parallel from the table, not serially through the
    covering txn_by_customer index, which the planner otherwise picks for category spend to save its sort
    (measured on dataset M: 8.4 s against 7.4 s, bench/README.md). An incremental run reads that index alone.

    No JIT: its cost estimates put every query of a run over `jit_above_cost`, and compiling cost more than it
    saved (the rates' read: 0.19 s with JIT, 0.015 s without; an incremental run of 9,445 customers 1.35 s against
    1.1 s; the full run's passes the same either way).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
                       [settings.SCORING_WORK_MEM])
        if customer_ids is None:
            cursor.execute("SELECT set_config('enable_indexonlyscan', 'off', true)")


def figures_load(*, windows: Windows, customer_ids=None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The raw figures: one row per customer, merchant spend in long form (customer, category, spend), and the
    run's money facts: {"base_currency", "rates" used at as_of, "unconverted" money per currency}.

    One transaction, so the run's temporary tables live as long as its queries and every query sees one
    snapshot of the data.
    """
    params = query_params(windows, customer_ids)
    with transaction.atomic():
        session_settings(customer_ids)
        rates = money.rates_load(params)
        params.update(rates.params)
        if customer_ids is not None:
            money.window_table_create(params=params, customer_ids=customer_ids)
        customers = _frame(customers_sql(customer_ids), params)
        txns = _frame(transaction_figures_sql(customer_ids, rates), params)
        spend = _frame(category_spend_sql(customer_ids, rates), params)
        accounts = _frame(account_figures_sql(customer_ids, rates), params)
        unconverted_rows = int(txns["unconverted_rows"].sum()) if not txns.empty else 0
        unconverted_accounts = int(accounts["unconverted_accounts"].sum()) if not accounts.empty else 0
        report = money.Unconverted()
        if unconverted_rows or unconverted_accounts:
            report.currencies = money.unconverted_load(params=params, rates=rates, customer_ids=customer_ids,
                                                       accounts=bool(unconverted_accounts),
                                                       transactions=bool(unconverted_rows))
            affected = set(txns.loc[txns["unconverted_rows"] > 0, "customer_id"]) | set(
                accounts.loc[accounts["unconverted_accounts"] > 0, "customer_id"])
            report.customers = len(affected)
        facts = {"base_currency": settings.BASE_CURRENCY, "rates": rates.used,
                 "unconverted": report.as_json()}
    frame = customers.merge(accounts, on="customer_id", how="left").merge(txns, on="customer_id", how="left")
    without = frame.loc[frame["last_at"].isna(), "customer_id"].tolist()
    if without:
        earlier = _frame(last_transaction_sql(), {**params, "ids": without}).dropna()
        if not earlier.empty:
            frame = frame.set_index("customer_id")
            frame.loc[earlier["customer_id"], "last_at"] = earlier.set_index("customer_id")["last_at"]
            frame = frame.reset_index()
    return frame, spend, facts
