"""Score refresh against the raw SQL aggregates it is built on (DESIGN §10), and an incremental refresh.

In the same run, on the database in DATABASE_URL:

1. the raw SQL aggregate queries alone (customers; transactions: value, habits, signals; merchant spend
   by category; accounts), executed and fetched with a plain cursor — what any refresh must at least do —
   and, the stricter baseline, taken as CSV text by COPY, as the refresh takes them (its own ratio printed too);
2. a full refresh with the project's service (scoring.services.score_run_process, the code a Celery
   worker runs): those queries, the look-up of older recency, the pandas ranks and blends, the upsert;

each `--rounds` times alternately, and prints the best of each and their ratio (target ≤ 2). Then
3. ingests a `--batch-rows` feed (10,000 by default) for random accounts with the ingest service and
   times the incremental refresh of the customers it touched (what `scoring.refresh_customers` runs);
   the batch is deleted and those customers rescored afterwards (--keep leaves the batch).

    python bench/scoring.py [--rounds 2] [--batch-rows 10000] [--keep]

Dataset M (100,000 customers, 200,000 accounts, 2,000,000 transactions) is built by the other benches:
`python bench/import_customers.py --fresh && python bench/ingest.py --rows 2000000 --keep`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.dev")

TARGET_RATIO = 2.0


def settle() -> None:
    """A checkpoint before each timed step: a refresh writes ~150 MB (rows and WAL), and the checkpoint that
    follows it otherwise lands in whichever step runs next (raw rounds after a refresh measured 6.7 → 11.2 s on a
    quiet machine). Needs superuser or pg_checkpoint; without, the step runs as it finds the server."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass


def raw_aggregates(*, convert: bool = True, by_copy: bool = False) -> float:
    """The four aggregate queries of a full refresh, run and fetched without the project's code around them.

    convert=True: as the refresh runs them, money converted to the base currency (the run's rates read first);
    convert=False: amounts summed as they are, whatever their currency. by_copy=True: the rows taken as CSV text by
    `COPY (query) TO STDOUT` (as the refresh takes them), not fetched into Python objects — the cheapest way out,
    and the stricter baseline.
    """
    import io

    from django.db import connection, transaction
    from django.utils import timezone

    from scoring.compute import money, queries
    from scoring.compute.windows import Windows

    params = queries.query_params(Windows.ending(timezone.now()), None)
    settle()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        queries.session_settings()  # the refresh's own work_mem: the same footing for both
        rates = None
        if convert:
            rates = money.rates_load(params)
            params.update(rates.params)
        statements = [queries.customers_sql(None), queries.transaction_figures_sql(None, rates),
                      queries.category_spend_sql(None, rates), queries.account_figures_sql(None, rates)]
        for sql in statements:
            if by_copy:
                query = cursor.mogrify(sql, params).decode()
                cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", io.BytesIO())
            else:
                cursor.execute(sql, params)
                cursor.fetchall()
    return time.perf_counter() - started


def rates_ensure(days: int) -> int:
    """Daily USD and HKD rates for the last `days` days (a random walk), loaded as a feed is: fx_rates_import."""
    import io

    import numpy as np
    from django.conf import settings
    from django.utils import timezone

    from accounts.imports import fx_rates_import

    rng = np.random.default_rng(11)
    today = timezone.localdate()
    lines = ["currency,rate_date,rate"]
    for currency, start in (("USD", 7.1), ("HKD", 0.91)):
        if currency == settings.BASE_CURRENCY:
            continue
        walk = start * np.exp(np.cumsum(rng.normal(0, 0.002, days)))
        lines += [f"{currency},{today - dt.timedelta(days=days - 1 - i)},{rate:.6f}" for i, rate in enumerate(walk)]
    result = fx_rates_import(file=io.BytesIO(("\n".join(lines) + "\n").encode()))
    return result.received - result.rejected


def foreign_share() -> tuple[float, float]:
    """The share of accounts and of transactions in a currency other than the base one."""
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT avg((currency <> %(base)s)::int) FROM accounts_account",
                       {"base": settings.BASE_CURRENCY})
        accounts = float(cursor.fetchone()[0] or 0)
        cursor.execute("SELECT avg((currency <> %(base)s)::int) FROM transactions_transaction",
                       {"base": settings.BASE_CURRENCY})
        transactions = float(cursor.fetchone()[0] or 0)
    return accounts, transactions


class AllInBaseCurrency:
    """--without-foreign: every account and transaction in the base currency while the bench runs, put back after."""

    TABLES = ("accounts_account", "transactions_transaction")

    def __enter__(self):
        from django.conf import settings
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS bench_foreign_{table}")
                cursor.execute(f"CREATE TABLE bench_foreign_{table} AS SELECT id, currency FROM {table} "  # noqa: S608 - bench tables of its own making
                               "WHERE currency <> %(base)s", {"base": settings.BASE_CURRENCY})
                cursor.execute(f"UPDATE {table} t SET currency = %(base)s FROM bench_foreign_{table} f "  # noqa: S608 - bench tables of its own making
                               "WHERE t.id = f.id", {"base": settings.BASE_CURRENCY})
        with connection.cursor() as cursor:
            for table in self.TABLES:
                cursor.execute(f"VACUUM ANALYZE {table}")
        return self

    def __exit__(self, *exc):
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.TABLES:
                cursor.execute(f"UPDATE {table} t SET currency = f.currency FROM bench_foreign_{table} f "  # noqa: S608 - bench tables of its own making
                               "WHERE t.id = f.id")
                cursor.execute(f"DROP TABLE bench_foreign_{table}")
        with connection.cursor() as cursor:
            for table in self.TABLES:
                cursor.execute(f"VACUUM ANALYZE {table}")
        return False


def full_refresh() -> tuple[float, dict]:
    from django.db import connection

    from scoring import services
    from scoring.models import RunKind

    # as a nightly run finds it: autovacuum has had a day to clear the previous run's dead rows
    # (back-to-back runs here would otherwise each write into a table twice as bloated as the last)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE scoring_customerscore")
    run = services.score_run_create(kind=RunKind.FULL)
    settle()
    started = time.perf_counter()
    run = services.score_run_process(run_id=run.pk)
    return time.perf_counter() - started, {"customers": run.customers_scored, **run.timings}


def incremental_after_batch(rows: int, keep: bool) -> dict:
    import ingest  # bench/ingest.py: its feed generator, loader and clean-up
    from django.core.files import File

    from scoring import services
    from scoring.models import RunKind
    from transactions.models import BatchSource
    from transactions.services.ingest import batch_create, batch_process

    run_name = "scoring-" + dt.datetime.now().strftime("%Y%m%d%H%M%S")
    feed_path, table_path = ingest.files_generate(rows=rows, run=run_name, accounts=ingest.accounts_load())
    table_path.unlink()
    ingest.balances_backup()
    batch = None
    try:
        with feed_path.open("rb") as handle:
            batch = batch_create(file=File(handle), file_name=feed_path.name, source=BatchSource.FILE)
        batch_process(batch_id=batch.pk)
        batch.refresh_from_db()
        touched = batch.touched_customer_ids
        run = services.score_run_create(kind=RunKind.INCREMENTAL, customer_ids=touched, batch_id=batch.pk)
        settle()
        started = time.perf_counter()
        run = services.score_run_process(run_id=run.pk)
        seconds = time.perf_counter() - started
        result = {"rows": rows, "inserted": batch.inserted, "customers": run.customers_scored,
                  "seconds": round(seconds, 2), **run.timings}
    finally:
        feed_path.unlink(missing_ok=True)
        if not keep:
            ingest.cleanup(batch.pk if batch else None)
            if batch is not None and batch.touched_customer_ids:
                again = services.score_run_create(kind=RunKind.INCREMENTAL, customer_ids=batch.touched_customer_ids)
                services.score_run_process(run_id=again.pk)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternate raw and full this many times (best kept)")
    parser.add_argument("--batch-rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the incremental bench's batch")
    parser.add_argument("--rate-days", type=int, default=366,
                        help="load daily USD and HKD rates for this many days first (0: load none)")
    parser.add_argument("--without-foreign", action="store_true",
                        help="run with every account and transaction in the base currency (put back afterwards)")
    parser.add_argument("--skip-incremental", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM customers_customer), (SELECT count(*) FROM accounts_account), "
                       "(SELECT count(*) FROM transactions_transaction)")
        customers, accounts, transactions = cursor.fetchone()
    if not customers:
        sys.exit("No customers in the database: build dataset M first (see this script's docstring).")
    rates = rates_ensure(args.rate_days) if args.rate_days else 0
    # the table as autovacuum keeps it (this CI server runs with autovacuum off; a bank's does not, and the
    # transactions table asks it to come after 1 % new rows): statistics, and the visibility map the incremental
    # refresh's index-only scan of txn_by_customer relies on
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE transactions_transaction")
    switch = AllInBaseCurrency() if args.without_foreign else contextlib.nullcontext()
    with switch:
        foreign_accounts, foreign_transactions = foreign_share()
        print(f"Dataset: {customers:,} customers, {accounts:,} accounts, {transactions:,} transactions; "
              f"foreign currencies: {foreign_accounts:.1%} of accounts, {foreign_transactions:.1%} of transactions; "
              f"{rates:,} daily rates loaded", flush=True)
        result = rounds_run(args, customers)
    result.update({"customers": customers, "accounts": accounts, "transactions": transactions,
                   "foreign_accounts": round(foreign_accounts, 4),
                   "foreign_transactions": round(foreign_transactions, 4),
                   "rates_loaded": rates})
    run_at = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"scoring-{run_at}.json").write_text(json.dumps(result, indent=2))


def rounds_run(args, customers: int) -> dict:
    plain, raw, copied, full, breakdowns = [], [], [], [], []
    for round_no in range(1, args.rounds + 1):
        # in turn which goes first: the first after a refresh's writes finds colder caches
        for convert in ((False, True) if round_no % 2 else (True, False)):
            (raw if convert else plain).append(raw_aggregates(convert=convert))
        copied.append(raw_aggregates(convert=False, by_copy=True))
        seconds, breakdown = full_refresh()
        full.append(seconds)
        breakdowns.append(breakdown)
        print(f"  round {round_no}: raw aggregates {plain[-1]:.2f} s (by COPY {copied[-1]:.2f} s), converted "
              f"{raw[-1]:.2f} s, full refresh {seconds:.2f} s {breakdown}", flush=True)
    ratio = min(full) / min(plain)
    ratio_copy = min(full) / min(copied)
    conversion = max(0.0, min(raw) - min(plain))
    result = {"raw_seconds": [round(s, 2) for s in plain], "raw_converted_seconds": [round(s, 2) for s in raw],
              "raw_copy_seconds": [round(s, 2) for s in copied], "ratio_copy": round(ratio_copy, 2),
              "full_seconds": [round(s, 2) for s in full], "full_breakdown": breakdowns, "ratio": round(ratio, 2),
              "conversion_seconds": round(conversion, 2), "conversion_share": round(conversion / min(full), 3)}
    verdict = "ok" if ratio <= TARGET_RATIO else "MISSED"
    print()
    print(f"raw SQL aggregates alone    {min(plain):>8.2f} s   (best of {args.rounds}; amounts as they are)")
    print(f"… converted to {settings_base()}         {min(raw):>8.2f} s   (the refresh's own queries and rates)")
    print(f"full refresh                {min(full):>8.2f} s   (best of {args.rounds}; {customers:,} customers)")
    print(f"ratio full / raw            {ratio:>8.2f}     (target ≤ {TARGET_RATIO}) {verdict}")
    print(f"… raw taken by COPY        {min(copied):>8.2f} s   (rows as CSV text, not Python objects: the stricter "
          f"baseline; ratio {ratio_copy:.2f})")
    print(f"conversion                  {conversion:>8.2f} s   ({conversion / min(full):.1%} of the full refresh)")
    if not args.skip_incremental:
        print(f"Incremental refresh after a {args.batch_rows:,}-row batch…", flush=True)
        incremental = incremental_after_batch(args.batch_rows, args.keep)
        share = incremental["customers"] / customers * min(full)
        target = 1.5 * share + 0.5
        incremental.update(share_of_full=round(share, 2), target=round(target, 2))
        result["incremental"] = incremental
        print(f"incremental refresh         {incremental['seconds']:>8.2f} s   ({incremental['customers']:,} customers "
              f"touched by {incremental['inserted']:,} new rows; their share of a full refresh {share:.2f} s, "
              f"target ≤ 1.5 × that + 0.5 = {target:.2f} s) {'ok' if incremental['seconds'] <= target else 'MISSED'}")
    return result


def settings_base() -> str:
    from django.conf import settings

    return settings.BASE_CURRENCY


if __name__ == "__main__":
    main()
