"""Money in the base currency (DESIGN §4): the as-of rates of a run, and what could not be converted.

A run builds one small table of rates per currency and local day (`scoring_fx_day`: the latest FxRate on or
before each day of the run's windows, a few hundred rows per currency) and the aggregate queries hash-join
every transaction to it on (currency, local date) and every account on (currency, as_of's date): an as-of
join that costs an equality look-up per row, whatever the number of rates. The base currency is not in the
table (its amounts are taken as they are), so a foreign amount that finds no row has no rate by its day: it is
left out of the sums, counted, and reported with the run (ScoreRun.unconverted), never added as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from accounts.models import Account, AccountStatus, FxRate, Product
from transactions.models import Transaction

FX_DAY = "scoring_fx_day"
IDS = "scoring_ids"
# the accounts open at as_of: from the day they opened until the day they closed
OPEN_AT_AS_OF = (f"a.opened_at <= %(today)s AND NOT (a.status = '{AccountStatus.CLOSED}' "
                 "AND (a.closed_at IS NULL OR a.closed_at <= %(today)s))")


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def to_base(alias: str, amount: str) -> str:
    """SQL: the amount of a row (alias.currency) in the base currency, to the cent; NULL without a rate."""
    return (f"CASE WHEN {alias}.currency = %(base)s THEN {amount} "
            f"ELSE round({amount} * fx.rate, 2) END")


def fx_join(alias: str, day: str) -> str:
    """SQL: the rate row of alias's currency on `day` (an expression), for to_base()."""
    return f"LEFT JOIN pg_temp.{FX_DAY} fx ON fx.currency = {alias}.currency AND fx.day = {day}"


def local_day(alias: str) -> str:
    return f"({alias}.occurred_at AT TIME ZONE %(tz)s)::date"


FX_DAY_SQL = f"""
    CREATE TEMP TABLE {FX_DAY} ON COMMIT DROP AS
    SELECT c.currency, d.day::date AS day, r.rate, r.rate_date
    FROM (SELECT DISTINCT currency FROM {{rates}} WHERE currency <> %(base)s AND rate_date <= %(today)s) c
    CROSS JOIN generate_series(%(first_day)s::date, %(today)s::date, interval '1 day') AS d(day)
    JOIN LATERAL (SELECT f.rate, f.rate_date FROM {{rates}} f
                  WHERE f.currency = c.currency AND f.rate_date <= d.day
                  ORDER BY f.rate_date DESC LIMIT 1) r ON true
"""  # noqa: S608 (table names from the models, values as parameters)


def run_tables_create(*, params: dict, customer_ids) -> None:
    """The run's temporary tables, dropped at the end of the transaction the queries run in.

    scoring_fx_day: the as-of rates (see the module's docstring). scoring_ids: the customers an incremental run
    scores, with statistics, so each query joins them like a table (an index look-up per customer) instead of
    filtering by `= ANY(array)`, whose selectivity the planner can only guess.
    """
    with connection.cursor() as cursor:
        # (dropped first too: inside an outer transaction, a test's, ON COMMIT comes later)
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{FX_DAY}")
        cursor.execute(FX_DAY_SQL.format(rates=table(FxRate)), params)
        cursor.execute(f"ALTER TABLE pg_temp.{FX_DAY} ADD PRIMARY KEY (currency, day)")
        cursor.execute(f"ANALYZE pg_temp.{FX_DAY}")
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{IDS}")
        if customer_ids is not None:
            cursor.execute(f"CREATE TEMP TABLE {IDS} (customer_id bigint PRIMARY KEY) ON COMMIT DROP")
            cursor.execute(f"INSERT INTO pg_temp.{IDS} SELECT DISTINCT unnest(%(ids)s::bigint[])", params)
            cursor.execute(f"ANALYZE pg_temp.{IDS}")


def rates_used() -> dict[str, dict]:
    """The rate each currency converted at on as_of's day: what the run's balances used."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT currency, rate, rate_date FROM pg_temp.{FX_DAY} "  # noqa: S608
                       f"WHERE day = (SELECT max(day) FROM pg_temp.{FX_DAY}) ORDER BY currency")
        return {currency: {"rate": str(rate), "rate_date": rate_date.isoformat()}
                for currency, rate, rate_date in cursor.fetchall()}


@dataclass
class Unconverted:
    """Money left out of a run's figures because its currency had no rate by its date, per currency."""

    currencies: dict[str, dict] = field(default_factory=dict)
    customers: int = 0

    def as_json(self) -> dict:
        return {"currencies": self.currencies, "customers": self.customers} if self.currencies else {}


def _ids_join(alias: str, customer_ids) -> str:
    return "" if customer_ids is None else f"JOIN pg_temp.{IDS} ids ON ids.customer_id = {alias}.customer_id"


def unconverted_load(*, params: dict, customer_ids, accounts: bool, transactions: bool) -> dict[str, dict]:
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
            {fx_join("a", "%(today)s")}
            WHERE a.currency <> %(base)s AND fx.rate IS NULL AND p.kind = ANY(%(money_kinds)s)
              AND {OPEN_AT_AS_OF}
            GROUP BY a.currency
        """, ("accounts", "balance"))  # noqa: S608 (table names from the models, values as parameters)
    if transactions:
        add(f"""
            SELECT t.currency, count(*), count(DISTINCT t.account_id), sum(t.amount)
            FROM {table(Transaction)} t {_ids_join("t", customer_ids)}
            {fx_join("t", local_day("t"))}
            WHERE t.currency <> %(base)s AND fx.rate IS NULL
              AND t.occurred_at > %(earliest)s AND t.occurred_at <= %(as_of)s
            GROUP BY t.currency
        """, ("transactions", "transaction_accounts", "amount"))  # noqa: S608
    return dict(sorted(report.items()))



def first_day(earliest) -> object:
    return timezone.localtime(earliest).date()
