"""Money in the base currency (DESIGN §4): the as-of rates of a run, and what could not be converted.

A run reads, once, the rate of every foreign currency on every local day of its windows (the latest FxRate on or
before that day) and hands each currency's rates to the aggregate queries as one array parameter, a day per
element. A row's rate is then an array subscript — `(CASE currency WHEN 'USD' THEN usd_rates ... END)[local day -
first day + 1]` — an as-of look-up that costs the same per row whatever the number of rates, needs no join (so
no plan to go wrong: a join against a temporary table of rates cost the pass over the transactions its parallel
workers, which cannot read temporary tables; an unnested one was merge-joined after sorting every row), and
keeps the pass over the transactions parallel.

The base currency has no rates (its amounts are taken as they are). A foreign amount whose currency has no rate by
its day finds NULL: it is left out of the sums, counted, and reported with the run (ScoreRun.unconverted), never
added as zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts.models import Account, AccountStatus, FxRate, Product
from transactions.models import Transaction

IDS = "scoring_ids"
WINDOW = "scoring_window"
# what an incremental run reads of its customers' transactions: the columns the txn_by_customer index holds
# (its key and its INCLUDE), so the read is an index-only scan (transactions/migrations/0005)
WINDOW_COLUMNS = "t.customer_id, t.account_id, t.channel, t.direction, t.occurred_at, t.amount, t.currency, t.mcc"
# the accounts open at as_of: from the day they opened until the day they closed
OPEN_AT_AS_OF = (f"a.opened_at <= %(today)s AND NOT (a.status = '{AccountStatus.CLOSED}' "
                 "AND (a.closed_at IS NULL OR a.closed_at <= %(today)s))")


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def local_day(alias: str) -> str:
    return f"({alias}.occurred_at AT TIME ZONE %(tz)s)::date"


RATE_DAYS_SQL = """
    SELECT c.currency, d.day::date AS day, r.rate, r.rate_date
    FROM (SELECT DISTINCT currency FROM {rates} WHERE currency <> %(base)s AND rate_date <= %(today)s) c
    CROSS JOIN generate_series(%(first_day)s::date, %(today)s::date, interval '1 day') AS d(day)
    JOIN LATERAL (SELECT f.rate, f.rate_date FROM {rates} f
                  WHERE f.currency = c.currency AND f.rate_date <= d.day
                  ORDER BY f.rate_date DESC LIMIT 1) r ON true
    ORDER BY c.currency, d.day
"""


@dataclass
class Rates:
    """A run's rates: per foreign currency, one per local day from first_day to today (None before its first)."""

    first_day: dt.date
    by_currency: dict[str, list[Decimal | None]] = field(default_factory=dict)
    used: dict[str, dict] = field(default_factory=dict)  # as of today: {currency: {"rate", "rate_date"}}

    @property
    def params(self) -> dict:
        values = {}
        for n, (currency, rates) in enumerate(sorted(self.by_currency.items())):
            values[f"fx_currency_{n}"], values[f"fx_rates_{n}"] = currency, rates
        return values

    def to_base(self, alias: str, amount: str, day: str) -> str:
        """SQL: the amount of a row (alias.currency) in the base currency on `day`, to the cent; NULL without a
        rate."""
        if not self.by_currency:
            return f"CASE WHEN {alias}.currency = %(base)s THEN {amount} END"
        arrays = " ".join(f"WHEN %(fx_currency_{n})s THEN %(fx_rates_{n})s::numeric[]"
                          for n in range(len(self.by_currency)))
        rate = f"(CASE {alias}.currency {arrays} END)[({day} - %(first_day)s::date) + 1]"
        return f"CASE WHEN {alias}.currency = %(base)s THEN {amount} ELSE round({amount} * {rate}, 2) END"


def rates_load(params: dict) -> Rates:
    """The run's rates, read once (a few hundred rows per currency)."""
    with connection.cursor() as cursor:
        cursor.execute(RATE_DAYS_SQL.format(rates=table(FxRate)), params)  # (table name from the model)
        rows = cursor.fetchall()
    first, today = params["first_day"], params["today"]
    rates = Rates(first_day=first)
    for currency, day, rate, rate_date in rows:
        series = rates.by_currency.setdefault(currency, [None] * ((today - first).days + 1))
        series[(day - first).days] = rate
        if day == today:
            rates.used[currency] = {"rate": str(rate), "rate_date": rate_date.isoformat()}
    return rates


def window_table_create(*, params: dict, customer_ids) -> None:
    """An incremental run's customers and their transactions of the window, read once, as temporary tables.

    scoring_ids: the customers, with statistics. scoring_window: their transactions from `earliest` to as_of,
    read through the (customer, occurred_at) index — a nested loop by construction, since OFFSET 0 keeps the
    planner from flattening the LATERAL subquery into a join (for `customer_id = ANY(...)` it estimated one row
    and nested-looped every transaction over the merchant categories: a 9,445-customer batch's category spend
    took twice as long as everyone's). Both passes over the window then read this small table, so the
    scattered rows of the batch's customers are fetched from the big one once, not twice.
    """
    with connection.cursor() as cursor:
        # (dropped first too: inside an outer transaction, a test's, ON COMMIT comes later)
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{IDS}")
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{WINDOW}")
        cursor.execute(f"CREATE TEMP TABLE {IDS} (customer_id bigint PRIMARY KEY) ON COMMIT DROP")
        cursor.execute(f"INSERT INTO pg_temp.{IDS} SELECT DISTINCT unnest(%(ids)s::bigint[])",
                       {"ids": list(customer_ids)})
        cursor.execute(f"ANALYZE pg_temp.{IDS}")
        cursor.execute(f"""
            CREATE TEMP TABLE {WINDOW} ON COMMIT DROP AS
            SELECT {WINDOW_COLUMNS}
            FROM pg_temp.{IDS} ids CROSS JOIN LATERAL (
                SELECT {WINDOW_COLUMNS} FROM {table(Transaction)} t
                WHERE t.customer_id = ids.customer_id AND t.occurred_at > %(earliest)s AND t.occurred_at <= %(as_of)s
                OFFSET 0) t
        """, params)  # noqa: S608 (table names from the models, values as parameters)
        cursor.execute(f"ANALYZE pg_temp.{WINDOW}")


def transactions_from(customer_ids, window_from: str) -> str:
    """FROM the transactions of the window (occurred_at in (window_from, as_of]), as `t`, followed by WHERE.

    A full run reads them all in one parallel scan; an incremental one its customers' (window_table_create).
    """
    window = f"t.occurred_at > {window_from} AND t.occurred_at <= %(as_of)s"
    source = table(Transaction) if customer_ids is None else f"pg_temp.{WINDOW}"
    return f"{source} t WHERE {window}"


def first_day(earliest: dt.datetime) -> dt.date:
    return timezone.localtime(earliest).date()


@dataclass
class Unconverted:
    """Money left out of a run's figures because its currency had no rate by its date, per currency."""

    currencies: dict[str, dict] = field(default_factory=dict)
    customers: int = 0

    def as_json(self) -> dict:
        return {"currencies": self.currencies, "customers": self.customers} if self.currencies else {}


def _ids_join(alias: str, customer_ids) -> str:
    return "" if customer_ids is None else f"JOIN pg_temp.{IDS} ids ON ids.customer_id = {alias}.customer_id"


def unconverted_load(*, params: dict, rates: Rates, customer_ids, accounts: bool,
                     transactions: bool) -> dict[str, dict]:
    """Per currency: the accounts whose balances and the transactions whose amounts were left out.

    Run only when the aggregate queries counted some (a run with every rate in place pays nothing for it).
    """
    report: dict[str, dict] = {}

    def add(sql: str, keys: tuple[str, ...]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for currency, *values in cursor.fetchall():
                entry = report.setdefault(currency, {})
                entry.update({key: str(value) if isinstance(value, Decimal) else value
                              for key, value in zip(keys, values, strict=True)})

    if accounts:
        add(f"""
            SELECT a.currency, count(*), sum(a.balance)
            FROM {table(Account)} a JOIN {table(Product)} p ON p.id = a.product_id {_ids_join("a", customer_ids)}
            WHERE {rates.to_base("a", "a.balance", "%(today)s::date")} IS NULL AND p.kind = ANY(%(money_kinds)s)
              AND {OPEN_AT_AS_OF}
            GROUP BY a.currency
        """, ("accounts", "balance"))  # noqa: S608 (table names from the models, values as parameters)
    if transactions:
        add(f"""
            SELECT t.currency, count(*), count(DISTINCT t.account_id), sum(t.amount)
            FROM {transactions_from(customer_ids, "%(earliest)s")}
              AND {rates.to_base("t", "t.amount", local_day("t"))} IS NULL
            GROUP BY t.currency
        """, ("transactions", "transaction_accounts", "amount"))  # noqa: S608 - table names from the models, values as parameters
    return dict(sorted(report.items()))

