"""Write computed scores set-wise: COPY a chunk into a staging table (its JSON columns built as text), upsert it."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction

from .compute import CATEGORIES, CHANNELS
from .models import CustomerScore

ALERTS = ["birthday", "id_expiring", "kyc_due", "dormant", "activity_falling"]  # funds leaving: in SQL

STAGE_COLUMNS = [
    ("customer_id", "bigint"), ("recency_days", "integer"), ("frequency", "integer"),
    # money: sums of NUMERIC(18,2) rows, unbounded here; CustomerScore holds TOTAL_MAX_DIGITS
    ("monetary", "numeric"), ("card_spend", "numeric"), ("aum", "numeric"), ("loan_balance", "numeric"),
    ("product_count", "integer"),
    ("value_score", "numeric(5,2)"), ("value_percentile", "numeric(5,2)"), ("tier", "text"),
    ("top_percent", "numeric(5,2)"), ("drivers", "jsonb"), ("channel_mix", "jsonb"),
    ("self_service_ratio", "numeric(5,4)"), ("preferred_channel", "text"),
    ("category_shares", "jsonb"), ("category_lift", "jsonb"), ("top_categories", "jsonb"),
    ("usual_time_of_day", "text"),
    ("net_outflow_30d", "numeric"), ("activity_90d", "integer"), ("activity_prior_90d", "integer"),
    *[(f"alert_{a}", "boolean") for a in ALERTS],
    ("birthday_on", "date"), ("birthday_days", "integer"), ("id_expiry", "date"), ("id_expiry_days", "integer"),
    ("kyc_review_date", "date"), ("kyc_review_days", "integer"), ("explanation", "text"),
]


def _number(value: int, scale: int) -> str:
    """value / scale as the shortest exact decimal, as PostgreSQL writes float8 (1234 / 10000 → 0.1234, 150 / 100 →
    1.5, 100 / 100 → 1)."""
    whole, part = divmod(abs(value), scale)
    fraction = f".{part:0{len(str(scale)) - 1}d}".rstrip("0") if part else ""
    return f"{'-' if value < 0 else ''}{whole}{fraction}"


def json_object(frame: pd.DataFrame, prefix: str, codes: list[str], *, scale: int) -> np.ndarray:
    """Per row, the JSON object {code: prefix_<code> / scale} of the columns that are neither zero nor null.

    Built as text over the whole chunk (no loop per row: the non-zero cells in row order, each a key and a number
    looked up among the chunk's distinct values, concatenated per row by `np.add.reduceat`), and read by
    PostgreSQL's jsonb input. Building it in SQL (`jsonb_strip_nulls(jsonb_build_object(…, x::float8 / scale …))`)
    was the largest part of the upsert: 1.1 s for 100,000 customers' category shares alone.
    """
    values = np.column_stack([frame[f"{prefix}_{code.lower()}"].to_numpy(dtype="float64", na_value=0.0)
                              for code in codes]).astype("int64")
    rows, columns = np.nonzero(values)  # row-major: each row's cells together, in the order of codes
    out = np.full(len(values), "{}", dtype=object)
    if not len(rows):
        return out
    distinct, which = np.unique(values[rows, columns], return_inverse=True)
    numbers = np.array([_number(value, scale) for value in distinct.tolist()], dtype=object)
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    first = np.zeros(len(rows), dtype=bool)
    first[starts] = True
    keys = np.array([f',"{code}":' for code in codes], dtype=object)
    first_keys = np.array([f'{{"{code}":' for code in codes], dtype=object)
    pieces = np.where(first, first_keys[columns], keys[columns]) + numbers[which]
    out[rows[starts]] = np.add.reduceat(pieces, starts) + "}"
    return out


def json_array(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Per row, the JSON array of the columns' values that are not null, in the columns' order; written once per
    distinct combination (a handful of codes make a few hundred) and picked by each row's combination."""
    key = np.zeros(len(frame), dtype="int64")
    values = []
    for column in columns:
        codes, uniques = pd.factorize(frame[column])  # null: -1
        key = key * (len(uniques) + 1) + codes + 1
        values.append(np.array([None, *uniques], dtype=object))
    combinations, which = np.unique(key, return_inverse=True)
    texts = []
    for combination in combinations.tolist():
        picked = []
        for options in reversed(values):
            combination, code = divmod(combination, len(options))
            picked.append(options[code])
        texts.append(json.dumps([value for value in reversed(picked) if value is not None], separators=(",", ":")))
    return np.array(texts, dtype=object)[which]


def _alert(condition: str, *pairs: str) -> str:
    return (f"CASE WHEN {condition} THEN jsonb_build_array(jsonb_build_object({', '.join(pairs)})) "
            "ELSE '[]'::jsonb END")


# concatenated arrays, not a subquery per row: the order is the order of DESIGN §6
ALERTS_SQL = " || ".join([
    _alert("s.alert_birthday", "'code', 'birthday'", "'days', s.birthday_days", "'date', s.birthday_on"),
    _alert("s.alert_id_expiring", "'code', 'id_expiring'", "'days', s.id_expiry_days", "'date', s.id_expiry"),
    _alert("s.alert_kyc_due", "'code', 'kyc_due'", "'days', s.kyc_review_days", "'date', s.kyc_review_date"),
    _alert("s.alert_dormant", "'code', 'dormant'", "'days', s.recency_days"),
    _alert("s.aum > 0 AND s.net_outflow_30d > s.aum * %(outflow_share)s", "'code', 'funds_leaving'",
           "'outflow', s.net_outflow_30d::text", "'aum', s.aum::text"),
    _alert("s.alert_activity_falling", "'code', 'activity_falling'", "'last', s.activity_90d",
           "'before', s.activity_prior_90d"),
])

TARGET = {
    "run_id": "%(run_id)s", "as_of": "%(as_of)s", "computed_at": "%(computed_at)s",
    "recency_days": "s.recency_days", "frequency": "s.frequency", "monetary": "s.monetary",
    "card_spend": "s.card_spend", "aum": "s.aum", "loan_balance": "s.loan_balance",
    "product_count": "s.product_count",
    # exact, in NUMERIC: AUM × deposit margin + loans × loan margin + card spend × interchange, to the cent
    "annual_revenue": ("round(greatest(s.aum, 0) * %(deposit_margin)s + s.loan_balance * %(loan_margin)s"
                       " + s.card_spend * %(interchange)s, 2)"),
    "value_score": "s.value_score",
    "value_percentile": "s.value_percentile", "tier": "s.tier", "top_percent": "s.top_percent",
    "drivers": "s.drivers", "channel_mix": "s.channel_mix",
    "self_service_ratio": "s.self_service_ratio", "preferred_channel": "coalesce(s.preferred_channel, '')",
    "category_shares": "s.category_shares", "category_lift": "s.category_lift",
    "top_categories": "s.top_categories",
    "usual_time_of_day": "coalesce(s.usual_time_of_day, '')",
    "net_outflow_30d": "s.net_outflow_30d", "activity_90d": "s.activity_90d",
    "activity_prior_90d": "s.activity_prior_90d", "alerts": ALERTS_SQL,
    "explanation": "coalesce(s.explanation, '')",
}


def upsert_sql() -> str:
    table = connection.ops.quote_name(CustomerScore._meta.db_table)
    columns = ", ".join(TARGET)
    values = ", ".join(TARGET.values())
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in TARGET)
    # (column names and SQL are this module's constants: no user input)
    return (f"INSERT INTO {table} (customer_id, {columns}) SELECT s.customer_id, {values} FROM scoring_stage s "  # noqa: S608 - module constants
            f"ON CONFLICT (customer_id) DO UPDATE SET {updates}")


def _rates() -> dict:
    return {"deposit_margin": settings.SCORING_DEPOSIT_MARGIN, "loan_margin": settings.SCORING_LOAN_MARGIN,
            "interchange": settings.SCORING_INTERCHANGE_RATE,
            "outflow_share": settings.SCORING_OUTFLOW_SHARE_OF_AUM}


def _csv(chunk: pd.DataFrame) -> io.StringIO:
    buffer = io.StringIO()
    chunk.to_csv(buffer, index=False, header=False, na_rep="")
    buffer.seek(0)
    return buffer


def stage_rows(chunk: pd.DataFrame) -> pd.DataFrame:
    """The chunk in the staging table's columns: the JSON columns built (shares in basis points, lift in
    hundredths, as scores_compute leaves them)."""
    json_columns = {
        "drivers": json_array(chunk, ["driver1", "driver2"]),
        "channel_mix": json_object(chunk, "share", CHANNELS, scale=10_000),
        "category_shares": json_object(chunk, "cat", CATEGORIES, scale=10_000),
        "category_lift": json_object(chunk, "lift", CATEGORIES, scale=100),
        "top_categories": json_array(chunk, ["top1", "top2", "top3"]),
    }
    return chunk.assign(**json_columns)[[name for name, _type in STAGE_COLUMNS]]


def _chunk_store(*, chunk: pd.DataFrame, params: dict, in_thread: bool) -> int:
    names = [name for name, _type in STAGE_COLUMNS]
    stage = ", ".join(f"{name} {sql_type}" for name, sql_type in STAGE_COLUMNS)
    buffer = _csv(stage_rows(chunk))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # (dropped first too: inside an outer transaction, a test's, ON COMMIT comes later)
            cursor.execute("DROP TABLE IF EXISTS pg_temp.scoring_stage")
            cursor.execute(f"CREATE TEMP TABLE scoring_stage ({stage}) ON COMMIT DROP")
            cursor.copy_expert(f"COPY scoring_stage ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer)
            cursor.execute(upsert_sql(), params)
            return cursor.rowcount
    finally:
        if in_thread:
            connection.close()  # each thread had a connection of its own


def scores_store(*, frame: pd.DataFrame, run_id: int, as_of, computed_at, chunk_rows: int,
                 workers: int = 1) -> int:
    """Upsert every row of the frame, `chunk_rows` per transaction; returns the rows written.

    With workers > 1, chunks are written by that many threads, each on a connection of its own, so
    the CSV of one chunk is written while PostgreSQL upserts another and both cores are busy. Each
    chunk commits on its own either way (a failure leaves earlier chunks written: a refresh is
    idempotent, the run is marked failed and is run again).
    """
    params = {"run_id": run_id, "as_of": as_of, "computed_at": computed_at, **_rates()}
    chunks = [frame.iloc[start:start + chunk_rows] for start in range(0, len(frame), chunk_rows)]
    if workers <= 1 or len(chunks) <= 1:
        return sum(_chunk_store(chunk=chunk, params=params, in_thread=False) for chunk in chunks)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scores-store") as pool:
        return sum(pool.map(lambda chunk: _chunk_store(chunk=chunk, params=params, in_thread=True), chunks))
