"""Transaction ingest throughput and memory against a raw COPY of the same rows (DESIGN §10).

Generates a transactions feed file for the accounts already in the database (bench/data/, git-ignored),
then, in the same run:

1. ingests it with the project's ingest service (transactions.services.batch_process, the code a
   Celery worker runs) in a child process, timing rows/s and reading that process's peak RSS;
2. COPYs the same rows, already in table shape, into a scratch table created with
   `(LIKE transactions_transaction INCLUDING ALL)` (same columns, indexes and constraints);

and prints rows/s for both, their ratio (target ≥ 0.6) and the ingest's peak RSS (target < 500 MB).
The bench's transactions are deleted and the account balances it moved are put back afterwards
(--keep leaves them).

    python bench/ingest.py [--rows 2000000] [--chunk-rows 50000] [--keep]

Needs accounts: `python manage.py seed_demo` (or `make run` once) loads them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.dev")

CHANNELS = np.array(["POS", "ATM", "COUNTER", "ONLINE", "MOBILE", "PHONE", "SELF_SERVICE", "SYSTEM"])
CHANNEL_SHARE = np.array([0.38, 0.08, 0.05, 0.14, 0.28, 0.02, 0.03, 0.02])
MCCS = np.array(["5411", "5812", "5541", "5311", "4111", "5912", "7832", "8220", "4900", "6011"])
MERCHANTS = np.array(["华联超市", "星巴克咖啡", "中国石化加油站", "万达广场", "上海地铁", "老百姓大药房", "万达影城",
                      "新东方教育", "国家电网", "ATM 取现"])
BLOCK = 100_000
TARGET_RATIO = 0.6
TARGET_RSS_MB = 500


def setup_django() -> None:
    import django

    django.setup()


# --- generating the files -----------------------------------------------------------------------


def accounts_load() -> pd.DataFrame:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT account_no, id, customer_id, currency FROM accounts_account ORDER BY id")
        rows = cursor.fetchall()
    if not rows:
        sys.exit("No accounts in the database: load some first (python manage.py seed_demo).")
    return pd.DataFrame(rows, columns=["account_no", "account_id", "customer_id", "currency"])


def files_generate(*, rows: int, run: str, accounts: pd.DataFrame) -> tuple[Path, Path]:
    """The feed file (account numbers, local times) and the same rows in table shape (ids, UTC), in blocks."""
    DATA.mkdir(parents=True, exist_ok=True)
    feed_path = DATA / f"transactions-{rows}-{run}.csv"
    table_path = DATA / f"transactions-{rows}-{run}.table.csv"
    rng = np.random.default_rng(2024)
    now = pd.Timestamp.now(tz="Asia/Shanghai").floor("s")
    with feed_path.open("w", encoding="utf-8", newline="") as feed, table_path.open("w", encoding="utf-8") as table:
        feed.write("external_id,channel,account_no,occurred_at,amount,direction,currency,balance_after,mcc,"
                   "merchant_name,terminal_id,description\n")
        for start in range(0, rows, BLOCK):
            size = min(BLOCK, rows - start)
            pick = rng.integers(0, len(accounts), size)
            account = accounts.iloc[pick]
            channel = rng.choice(CHANNELS, size, p=CHANNEL_SHARE)
            local = now - pd.to_timedelta(rng.integers(60, 365 * 86400, size), unit="s")
            cents = rng.lognormal(8.5, 1.3, size).astype(np.int64) + 1
            amount = pd.Series(cents // 100).astype(str) + "." + pd.Series(cents % 100).astype(str).str.zfill(2)
            balance_cents = rng.integers(-10**8, 10**9, size)
            balance = (pd.Series(balance_cents / 100).map("{:.2f}".format))
            direction = np.where(rng.random(size) < 0.7, "DEBIT", "CREDIT")
            card = np.isin(channel, ["POS", "ONLINE", "MOBILE"])
            which = rng.integers(0, len(MCCS), size)
            frame = pd.DataFrame({
                "external_id": [f"BENCH-{run}-{i:09d}" for i in range(start, start + size)],
                "channel": channel,
                "account_no": account["account_no"].to_numpy(),
                "occurred_at": local.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                "amount": amount.to_numpy(),
                "direction": direction,
                "currency": account["currency"].to_numpy(),
                "balance_after": balance.to_numpy(),
                "mcc": np.where(card, MCCS[which], ""),
                "merchant_name": np.where(card, MERCHANTS[which], ""),
                "terminal_id": np.where(card, pd.Series(rng.integers(1, 99999, size)).map("T{:05d}".format), ""),
                "description": np.where(channel == "SYSTEM", "利息", ""),
            })
            frame.to_csv(feed, header=False, index=False)
            table_frame = pd.DataFrame({
                "channel": frame["channel"], "external_id": frame["external_id"],
                "account_id": account["account_id"].to_numpy(), "customer_id": account["customer_id"].to_numpy(),
                "occurred_at": local.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                "amount": frame["amount"], "direction": frame["direction"], "currency": frame["currency"],
                "balance_after": frame["balance_after"], "mcc": frame["mcc"], "merchant_name": frame["merchant_name"],
                "terminal_id": frame["terminal_id"], "description": frame["description"],
            })
            table_frame.to_csv(table, header=False, index=False)
    return feed_path, table_path


# --- the two measurements -------------------------------------------------------------------------


def ingest_child(feed_path: Path, chunk_rows: int) -> dict:
    """Run in a fresh process, so its peak RSS is the ingest's own."""
    setup_django()
    from django.conf import settings
    from django.core.files import File

    from transactions.models import BatchSource
    from transactions.services.ingest import batch_create, batch_process

    settings.INGEST_CHUNK_ROWS = chunk_rows
    started = time.perf_counter()
    with feed_path.open("rb") as fh:
        batch = batch_create(file=File(fh), file_name=feed_path.name, source=BatchSource.FILE)
    stored = time.perf_counter() - started
    started = time.perf_counter()
    batch = batch_process(batch_id=batch.pk)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"batch_id": batch.pk, "status": batch.status, "error": batch.error, "received": batch.received,
            "inserted": batch.inserted, "duplicates": batch.duplicates, "rejected": batch.rejected,
            "store_seconds": round(stored, 2), "seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1)}


def copy_baseline(table_path: Path, *, same_state: bool, exclude_batch: int) -> float:
    """Seconds to COPY the table-shaped rows into a scratch copy of transactions_transaction.

    `LIKE … INCLUDING ALL` copies the columns, defaults, CHECK constraints and indexes. With
    `same_state` the scratch table also gets the real table's foreign keys (LIKE never copies them;
    every ingested row pays for them) and its rows from before the bench (so the indexes are as
    deep), which makes it the same table in the same state: the fair baseline.
    """
    from django.db import connection, transaction

    columns = ("channel, external_id, account_id, customer_id, occurred_at, amount, direction, currency, "
               "balance_after, mcc, merchant_name, terminal_id, description, batch_id")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_scratch")
        cursor.execute("CREATE TABLE bench_copy_scratch (LIKE transactions_transaction INCLUDING ALL)")
        if same_state:
            cursor.execute("INSERT INTO bench_copy_scratch SELECT * FROM transactions_transaction "
                           "WHERE batch_id IS DISTINCT FROM %s", [exclude_batch])
            cursor.execute("SELECT setval(pg_get_serial_sequence('bench_copy_scratch', 'id'), "
                           "(SELECT coalesce(max(id), 0) + 1 FROM transactions_transaction))")
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = 'transactions_transaction'::regclass AND contype = 'f'")
            for number, (_name, definition) in enumerate(cursor.fetchall()):
                cursor.execute(f"ALTER TABLE bench_copy_scratch ADD CONSTRAINT bench_fk_{number} {definition}")
            cursor.execute("VACUUM ANALYZE bench_copy_scratch")
    # the same rows, with the ingest's batch id too: both pay for the same foreign keys
    with_batch = table_path.with_suffix(".batch.csv")
    with table_path.open(encoding="utf-8") as source, with_batch.open("w", encoding="utf-8") as target:
        target.writelines(f"{line.rstrip()},{exclude_batch}\n" for line in source)
    try:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor, with_batch.open(encoding="utf-8") as fh:
            cursor.copy_expert(f"COPY bench_copy_scratch ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL "
                               "(mcc, merchant_name, terminal_id, description))", fh)
        return time.perf_counter() - started  # the commit included: deferred foreign keys are checked there
    finally:
        with_batch.unlink()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy_scratch")


def balances_backup() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_balance_backup")
        cursor.execute("CREATE TABLE bench_balance_backup AS SELECT id, balance, balance_as_of FROM accounts_account")


def cleanup(batch_id: int | None) -> None:
    """Put the database back as it was: the bench's transactions and batch out, the balances back."""
    from django.db import connection, transaction

    from transactions.models import IngestBatch

    batch = IngestBatch.objects.filter(pk=batch_id).first() if batch_id is not None else None
    if batch is not None and batch.file:
        batch.file.delete(save=False)
    with transaction.atomic(), connection.cursor() as cursor:
        if batch_id is not None:
            cursor.execute("DELETE FROM transactions_transaction WHERE batch_id = %s", [batch_id])
            cursor.execute("DELETE FROM transactions_ingestbatch WHERE id = %s", [batch_id])
        cursor.execute("UPDATE accounts_account AS a SET balance = b.balance, balance_as_of = b.balance_as_of "
                       "FROM bench_balance_backup AS b WHERE a.id = b.id AND (a.balance, a.balance_as_of) "
                       "IS DISTINCT FROM (b.balance, b.balance_as_of)")
        cursor.execute("DROP TABLE bench_balance_backup")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--chunk-rows", type=int, default=None, help="rows per chunk (default INGEST_CHUNK_ROWS)")
    parser.add_argument("--keep", action="store_true", help="keep the bench's transactions and balances")
    parser.add_argument("--ingest-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.ingest_child:
        print(json.dumps(ingest_child(args.ingest_child, args.chunk_rows)))
        return

    setup_django()
    from django.conf import settings

    chunk_rows = args.chunk_rows or settings.INGEST_CHUNK_ROWS
    run = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    print(f"Generating {args.rows:,} transactions for the accounts in the database…", flush=True)
    started = time.perf_counter()
    accounts = accounts_load()
    feed_path, table_path = files_generate(rows=args.rows, run=run, accounts=accounts)
    print(f"  {feed_path.relative_to(ROOT)} ({feed_path.stat().st_size / 2**20:.0f} MB, {len(accounts):,} accounts) "
          f"in {time.perf_counter() - started:.1f} s", flush=True)

    balances_backup()
    ingest = None
    try:
        print("Ingesting with the ingest service in a child process…", flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--ingest-child", str(feed_path), "--chunk-rows", str(chunk_rows)],
            capture_output=True, text=True, env=os.environ, check=False)
        if child.returncode:
            sys.exit(f"The ingest failed:\n{child.stderr}")
        ingest = json.loads(child.stdout.strip().splitlines()[-1])
        print("COPY of the same rows into a scratch table LIKE transactions_transaction INCLUDING ALL, empty…",
              flush=True)
        copy_like_seconds = copy_baseline(table_path, same_state=False, exclude_batch=ingest["batch_id"])
        print("… and again with its foreign keys and its rows from before the bench (the same table, same state)…",
              flush=True)
        copy_seconds = copy_baseline(table_path, same_state=True, exclude_batch=ingest["batch_id"])
    finally:
        if not args.keep:
            cleanup(ingest["batch_id"] if ingest else None)

    ingest_rate = ingest["received"] / ingest["seconds"]
    copy_rate = args.rows / copy_seconds
    copy_like_rate = args.rows / copy_like_seconds
    ratio = ingest_rate / copy_rate
    result = {"rows": args.rows, "chunk_rows": chunk_rows, "accounts": len(accounts), "ingest": ingest,
              "ingest_rows_per_s": round(ingest_rate), "copy_seconds": round(copy_seconds, 2),
              "copy_rows_per_s": round(copy_rate), "ratio": round(ratio, 2),
              "copy_like_empty_seconds": round(copy_like_seconds, 2),
              "copy_like_empty_rows_per_s": round(copy_like_rate),
              "ratio_like_empty": round(ingest_rate / copy_like_rate, 2), "at": run}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"ingest-{run}.json").write_text(json.dumps(result, indent=2))
    verdict = {True: "ok", False: "MISSED"}
    print()
    print(f"rows                          {args.rows:>12,}   (chunks of {chunk_rows:,}; {len(accounts):,} accounts)")
    print(f"ingest service                {ingest['seconds']:>10.1f} s {ingest_rate:>10,.0f} rows/s   "
          f"({ingest['status']}: inserted {ingest['inserted']:,}, duplicates {ingest['duplicates']:,}, rejected "
          f"{ingest['rejected']:,}; storing the upload took {ingest['store_seconds']} s more)")
    print(f"COPY, same table and state    {copy_seconds:>10.1f} s {copy_rate:>10,.0f} rows/s")
    print(f"COPY, LIKE … INCLUDING ALL    {copy_like_seconds:>10.1f} s {copy_like_rate:>10,.0f} rows/s   "
          "(empty, no foreign keys)")
    print(f"ratio ingest / COPY           {ratio:>12.2f}   (target ≥ {TARGET_RATIO}) {verdict[ratio >= TARGET_RATIO]}"
          f"; against the empty LIKE table {ingest_rate / copy_like_rate:.2f}")
    print(f"ingest peak RSS               {ingest['peak_rss_mb']:>10.0f} MB   (target < {TARGET_RSS_MB} MB) "
          f"{verdict[ingest['peak_rss_mb'] < TARGET_RSS_MB]}")
    for path in (feed_path, table_path):
        path.unlink()


if __name__ == "__main__":
    main()
