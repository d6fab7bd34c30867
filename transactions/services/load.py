"""Writing one validated chunk, set-wise: COPY into a staging table, INSERT … ON CONFLICT, balances.

Every function here runs inside the chunk's transaction (transactions.services.ingest).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

import pandas as pd
from django.db import connection

STAGING_COLUMNS = ("row_no", "channel", "external_id", "account_id", "customer_id", "occurred_at", "amount",
                   "direction", "currency", "balance_after", "mcc", "merchant_name", "terminal_id", "description")
NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")  # an escaped NUL, not an escaped backslash + "u0000"

# Times travel as microseconds since the epoch (UTC), cheaper to write and to read than text:
# occurred_at is timestamptz 'epoch' + occurred_us * interval '1 microsecond'.
# A temporary table per connection, emptied at every commit; the columns are the target's types.
STAGING_CREATE = """
CREATE TEMP TABLE IF NOT EXISTS ingest_staging (
    row_no integer NOT NULL, channel varchar(16) NOT NULL, external_id varchar(64) NOT NULL,
    account_id bigint NOT NULL, customer_id bigint NOT NULL, occurred_us bigint NOT NULL,
    amount numeric(18, 2) NOT NULL, direction varchar(6) NOT NULL, currency varchar(3) NOT NULL,
    balance_after numeric(18, 2), mcc varchar(4) NOT NULL, merchant_name varchar(100) NOT NULL,
    terminal_id varchar(32) NOT NULL, description varchar(200) NOT NULL
) ON COMMIT DELETE ROWS
"""
# empty text stays "" (FORCE_NOT_NULL); only an empty balance_after is NULL
STAGING_COPY = """
COPY ingest_staging (row_no, channel, external_id, account_id, customer_id, occurred_us, amount, direction,
                     currency, balance_after, mcc, merchant_name, terminal_id, description)
FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (channel, external_id, direction, currency, mcc, merchant_name,
                                             terminal_id, description))
"""
# In the order of the customer index (the one that grows in the middle): its pages are written once
# each instead of at random. A total order on the row's contents, so two workers loading the same
# rows take the unique index's locks in the same order instead of deadlocking.
INSERT = """
INSERT INTO transactions_transaction (channel, external_id, account_id, customer_id, occurred_at, amount, direction,
                                      currency, balance_after, mcc, merchant_name, terminal_id, description, batch_id)
SELECT channel, external_id, account_id, customer_id, timestamptz 'epoch' + occurred_us * interval '1 microsecond',
       amount, direction, currency, balance_after, mcc, merchant_name, terminal_id, description, %s
FROM ingest_staging
ORDER BY customer_id, occurred_us DESC, channel, external_id, row_no
ON CONFLICT (channel, external_id) DO NOTHING
"""
# only the accounts whose balance will change: in an old file that is none of them
BALANCE_ACCOUNTS_LOCK = """
SELECT account.id FROM accounts_account AS account
JOIN (SELECT account_id, max(occurred_us) AS newest_us FROM ingest_staging
      WHERE balance_after IS NOT NULL GROUP BY account_id) AS given ON given.account_id = account.id
WHERE account.balance_as_of IS NULL
   OR account.balance_as_of < timestamptz 'epoch' + given.newest_us * interval '1 microsecond'
ORDER BY account.id FOR NO KEY UPDATE OF account
"""
BALANCES_UPDATE = """
WITH newest AS (
    SELECT DISTINCT ON (account_id) account_id, balance_after,
           timestamptz 'epoch' + occurred_us * interval '1 microsecond' AS occurred_at
    FROM ingest_staging WHERE balance_after IS NOT NULL ORDER BY account_id, occurred_us DESC, row_no DESC
)
UPDATE accounts_account AS account SET balance = newest.balance_after, balance_as_of = newest.occurred_at
FROM newest
WHERE account.id = newest.account_id AND (account.balance_as_of IS NULL OR account.balance_as_of < newest.occurred_at)
"""
REJECTED_COPY = "COPY transactions_rejectedrow (batch_id, row_number, raw, reasons) FROM STDIN WITH (FORMAT csv)"


@dataclass(frozen=True)
class Staged:
    """A chunk's valid rows as CSV text for the staging COPY (made in the validation thread)."""

    rows: int
    text: str
    customer_ids: list[int]


@dataclass(frozen=True)
class Loaded:
    inserted: int
    duplicates: int
    customer_ids: list[int]   # customers with a row in the chunk that loaded (new or duplicate)


def staged(valid: pd.DataFrame) -> Staged:
    frame = valid.assign(occurred_at=valid["occurred_at"].dt.as_unit("us").astype("int64"))
    return Staged(rows=len(valid), text=frame.to_csv(columns=list(STAGING_COLUMNS), header=False, index=False),
                  customer_ids=sorted(int(customer) for customer in valid["customer_id"].unique()))


def chunk_load(staged: Staged, *, batch_id: int) -> Loaded:
    """Insert the chunk's valid rows once per (channel, external_id); count the rest as duplicates.

    A row already loaded (by this file, an earlier one, or a concurrent worker) is skipped by the
    unique index, so a row repeated within the file counts once as inserted and then as a duplicate.
    """
    if not staged.rows:
        return Loaded(0, 0, [])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")  # the chunk's sorts in memory, not in temporary files
        cursor.execute(STAGING_CREATE)
        cursor.execute("TRUNCATE ingest_staging")  # a test's outer transaction never commits
        cursor.copy_expert(STAGING_COPY, io.StringIO(staged.text))
        cursor.execute(INSERT, [batch_id])
        inserted = cursor.rowcount
        _balances_update(cursor)
    return Loaded(inserted=inserted, duplicates=staged.rows - inserted, customer_ids=staged.customer_ids)


def _balances_update(cursor) -> None:
    """The newest balance_after per account, where newer than the account's balance_as_of.

    Accounts are locked in id order first (FOR NO KEY UPDATE, which the foreign-key checks of
    concurrent inserts don't wait for), so two batches touching the same accounts can't deadlock.
    """
    cursor.execute(BALANCE_ACCOUNTS_LOCK)
    if cursor.fetchone() is not None:
        cursor.execute(BALANCES_UPDATE)


def rejected_rows_write(rejected: list[tuple[int, dict, list[dict]]], *, batch_id: int) -> None:
    """The chunk's rejected rows, in one COPY."""
    if not rejected:
        return
    frame = pd.DataFrame({
        "batch_id": batch_id,
        "row_number": [row_number for row_number, _raw, _reasons in rejected],
        "raw": [json_text(raw) for _row_number, raw, _reasons in rejected],
        "reasons": [json_text(reasons) for _row_number, _raw, reasons in rejected],
    })
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(REJECTED_COPY, buffer)


def json_text(value: object) -> str:
    """JSON for a jsonb column, which refuses the NUL character: it becomes U+FFFD like other bad bytes."""
    return NUL_ESCAPE.sub("\\1\ufffd", json.dumps(value, ensure_ascii=False))
