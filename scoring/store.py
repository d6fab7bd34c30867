"""Write computed scores set-wise: COPY a chunk into a staging table, upsert it, build the JSON in SQL."""

from __future__ import annotations

import io

import pandas as pd
from django.db import connection, transaction

from .compute import CATEGORIES, CHANNELS
from .models import CustomerScore

ALERTS = ["birthday", "id_expiring", "kyc_due", "dormant", "funds_leaving", "activity_falling"]

STAGE_COLUMNS = [
    ("customer_id", "bigint"), ("recency_days", "integer"), ("frequency", "integer"),
    ("monetary", "numeric(18,2)"), ("card_spend", "numeric(18,2)"), ("aum", "numeric(18,2)"),
    ("loan_balance", "numeric(18,2)"), ("product_count", "integer"), ("annual_revenue", "numeric(18,2)"),
    ("value_score", "numeric(5,2)"), ("value_percentile", "numeric(5,2)"), ("tier", "text"),
    ("top_percent", "numeric(5,2)"), ("driver1", "text"), ("driver2", "text"),
    *[(f"share_{c.lower()}", "float8") for c in CHANNELS],
    ("self_service_ratio", "numeric(5,4)"), ("preferred_channel", "text"),
    *[(f"cat_{c.lower()}", "float8") for c in CATEGORIES],
    *[(f"lift_{c.lower()}", "float8") for c in CATEGORIES],
    ("top1", "text"), ("top2", "text"), ("top3", "text"), ("usual_time_of_day", "text"),
    ("net_outflow_30d", "numeric(18,2)"), ("activity_90d", "integer"), ("activity_prior_90d", "integer"),
    *[(f"alert_{a}", "boolean") for a in ALERTS],
    ("birthday_on", "date"), ("birthday_days", "integer"), ("id_expiry", "date"), ("id_expiry_days", "integer"),
    ("kyc_review_date", "date"), ("kyc_review_days", "integer"), ("explanation", "text"),
]


def _object(prefix: str, codes: list[str], *, zero_is_absent: bool) -> str:
    pairs = ", ".join(
        f"'{code}', {'NULLIF(' if zero_is_absent else ''}s.{prefix}_{code.lower()}{', 0)' if zero_is_absent else ''}"
        for code in codes)
    return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"


ALERTS_SQL = """(SELECT coalesce(jsonb_agg(a.alert ORDER BY a.ord), '[]'::jsonb) FROM (VALUES
    (1, CASE WHEN s.alert_birthday THEN jsonb_build_object('code', 'birthday', 'days', s.birthday_days,
                                                           'date', s.birthday_on) END),
    (2, CASE WHEN s.alert_id_expiring THEN jsonb_build_object('code', 'id_expiring', 'days', s.id_expiry_days,
                                                              'date', s.id_expiry) END),
    (3, CASE WHEN s.alert_kyc_due THEN jsonb_build_object('code', 'kyc_due', 'days', s.kyc_review_days,
                                                          'date', s.kyc_review_date) END),
    (4, CASE WHEN s.alert_dormant THEN jsonb_build_object('code', 'dormant', 'days', s.recency_days) END),
    (5, CASE WHEN s.alert_funds_leaving THEN jsonb_build_object('code', 'funds_leaving',
                                                                'outflow', s.net_outflow_30d::text,
                                                                'aum', s.aum::text) END),
    (6, CASE WHEN s.alert_activity_falling THEN jsonb_build_object('code', 'activity_falling',
                                                                   'last', s.activity_90d,
                                                                   'before', s.activity_prior_90d) END)
    ) AS a(ord, alert) WHERE a.alert IS NOT NULL)"""

TARGET = {
    "run_id": "%(run_id)s", "as_of": "%(as_of)s", "computed_at": "%(computed_at)s",
    "recency_days": "s.recency_days", "frequency": "s.frequency", "monetary": "s.monetary",
    "card_spend": "s.card_spend", "aum": "s.aum", "loan_balance": "s.loan_balance",
    "product_count": "s.product_count", "annual_revenue": "s.annual_revenue", "value_score": "s.value_score",
    "value_percentile": "s.value_percentile", "tier": "s.tier", "top_percent": "s.top_percent",
    "drivers": "to_jsonb(array_remove(ARRAY[s.driver1, s.driver2], NULL))",
    "channel_mix": _object("share", CHANNELS, zero_is_absent=True),
    "self_service_ratio": "s.self_service_ratio", "preferred_channel": "coalesce(s.preferred_channel, '')",
    "category_shares": _object("cat", CATEGORIES, zero_is_absent=True),
    "category_lift": _object("lift", CATEGORIES, zero_is_absent=False),
    "top_categories": "to_jsonb(array_remove(ARRAY[s.top1, s.top2, s.top3], NULL))",
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
    return (f"INSERT INTO {table} (customer_id, {columns}) SELECT s.customer_id, {values} FROM scoring_stage s "  # noqa: S608
            f"ON CONFLICT (customer_id) DO UPDATE SET {updates}")


def scores_store(*, frame: pd.DataFrame, run_id: int, as_of, computed_at, chunk_rows: int) -> int:
    """Upsert every row of the frame, `chunk_rows` per transaction; returns the rows written."""
    names = [name for name, _type in STAGE_COLUMNS]
    stage = ", ".join(f"{name} {sql_type}" for name, sql_type in STAGE_COLUMNS)
    written = 0
    for start in range(0, len(frame), chunk_rows):
        chunk = frame.iloc[start:start + chunk_rows][names]
        buffer = io.StringIO()
        chunk.to_csv(buffer, index=False, header=False, na_rep="")
        buffer.seek(0)
        with transaction.atomic(), connection.cursor() as cursor:
            # (dropped first too: inside an outer transaction, a test's, ON COMMIT comes later)
            cursor.execute("DROP TABLE IF EXISTS pg_temp.scoring_stage")
            cursor.execute(f"CREATE TEMP TABLE scoring_stage ({stage}) ON COMMIT DROP")
            cursor.copy_expert(f"COPY scoring_stage ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", buffer)
            cursor.execute(upsert_sql(), {"run_id": run_id, "as_of": as_of, "computed_at": computed_at})
            written += cursor.rowcount
    return written
