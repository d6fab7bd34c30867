"""The holdout draw, shared by the fan-out (which writes it) and the launch confirmation (which counts it).

Reproducible: md5("<campaign id>:<customer id>"), first 32 bits, mod 10,000, below share × 10,000 is holdout
(`holdout_draw` computes the same in Python).
"""

from __future__ import annotations

import hashlib

from .models import Campaign

HOLDOUT_BUCKETS = 10_000
# true when the customer `{id}` of an eligible row falls in the holdout; named parameters draw_key (the campaign
# id as text) and holdout_threshold (`holdout_params` gives both)
HOLDOUT_DRAW_SQL = ("('x' || substr(md5(%(draw_key)s || ':' || {id}::text), 1, 8))::bit(32)::bigint %% {buckets}"
                    " < %(holdout_threshold)s")


def holdout_draw(campaign_id: int, customer_id: int) -> int:
    """The customer's bucket (0–9999) for this campaign; below share × 10,000 means holdout."""
    digest = hashlib.md5(f"{campaign_id}:{customer_id}".encode()).hexdigest()  # noqa: S324 - a draw, not security
    return int(digest[:8], 16) % HOLDOUT_BUCKETS


def holdout_threshold(campaign: Campaign) -> int:
    return int(campaign.holdout_share * HOLDOUT_BUCKETS)


def holdout_sql(id_column: str) -> str:
    return HOLDOUT_DRAW_SQL.format(id=id_column, buckets=HOLDOUT_BUCKETS)


def holdout_params(campaign: Campaign) -> dict:
    return {"draw_key": str(campaign.pk), "holdout_threshold": holdout_threshold(campaign)}
