"""The demo's campaign history (DESIGN §7b): answers to three earlier campaigns, loaded as an earlier system's
`campaign_responses` file would be, then the models trained on them, so the 360 page shows next-best offers.

The answers follow rules a model can find — a steady fixed-income plan taken mostly by customers who already
hold time deposits or are affluent, a gold credit card by borrowers, critical-illness cover by wealth
customers — plus noise. Who was contacted and what they said are drawn from a hash of the customer number and
the seed (deterministic, set-wise in SQL); the file goes through the real importer, so the contacts are on the
customers' timelines and loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from django.db import connection

from accounts.models import Product
from campaigns.imports import campaign_responses_import
from campaigns.models import ContactResponse
from propensity.exceptions import NotEnoughHistory
from propensity.models import PropensityModel
from propensity.services import propensity_train

# code, campaign code, channel, days before now, share contacted, the SQL of the conversion probability
HISTORY = (
    ("WM-STABLE", "WM-2026-SPRING", "SMS", 150, 0.45,
     "0.03 + 0.22 * holds('TIME_DEPOSIT') + 0.12 * (c.segment IN ('AFFLUENT', 'PRIVATE'))::int"),
    ("CC-GOLD", "CC-2026-GOLD", "PHONE", 120, 0.40,
     "0.02 + 0.18 * holds('MORTGAGE') + 0.08 * holds('PERSONAL_LOAN')"),
    ("INS-HEALTH", "INS-2026-CARE", "COUNTER", 90, 0.40,
     "0.02 + 0.16 * holds('WEALTH') + 0.05 * holds('INSURANCE')"),
)

_DRAWS = """
WITH d AS (
    SELECT c.customer_no,
           -- a few customers answer every campaign more often: what "answered both earlier campaigns" finds
           {probability} + 0.10 * (('x' || substr(md5(c.customer_no || %(salt)s), 1, 8))::bit(32)::bigint
                                   < 0.15 * 4294967296)::int AS p,
           ('x' || substr(md5(c.customer_no || %(salt)s || %(product)s || 'contact'), 1, 8))::bit(32)::bigint
               / 4294967296.0 AS u1,
           ('x' || substr(md5(c.customer_no || %(salt)s || %(product)s || 'answer'), 1, 8))::bit(32)::bigint
               / 4294967296.0 AS u2
    FROM customers_customer c
    WHERE c.merged_into_id IS NULL AND c.status NOT IN ('CLOSED', 'DECEASED')
      AND NOT EXISTS (SELECT 1 FROM accounts_account a JOIN accounts_product pr ON pr.id = a.product_id
                      WHERE a.customer_id = c.id AND pr.code = %(product)s))
SELECT customer_no,
       CASE WHEN u2 < p THEN 'converted' WHEN u2 < p + 0.15 THEN 'interested'
            WHEN u2 < p + 0.55 THEN 'declined' ELSE 'no_answer' END AS outcome
FROM d WHERE u1 < %(share)s ORDER BY customer_no
"""
_HOLDS = ("(EXISTS (SELECT 1 FROM accounts_account a JOIN accounts_product pr ON pr.id = a.product_id "
          "WHERE a.customer_id = c.id AND pr.kind = '{kind}' AND a.status <> 'CLOSED'))::int")


def _probability(expression: str) -> str:
    for kind in ("TIME_DEPOSIT", "MORTGAGE", "PERSONAL_LOAN", "WEALTH", "INSURANCE"):
        expression = expression.replace(f"holds('{kind}')", _HOLDS.format(kind=kind))
    return expression


def demo_propensity_ensure(*, now: dt.datetime, seed: int) -> dict[str, str]:
    """Load the campaign history (idempotent) and train a model per product; product code -> what happened."""
    rows = []
    loaded = set(ContactResponse.objects.filter(campaign_code__in=[h[1] for h in HISTORY])
                 .values_list("campaign_code", flat=True).distinct())
    for product, campaign, channel, days, share, probability in HISTORY:
        if campaign in loaded:  # its day of contact moves with `now`: a second seed must not load it again
            continue
        contacted_at = (now - dt.timedelta(days=days)).replace(microsecond=0).isoformat()
        with connection.cursor() as cursor:
            cursor.execute(_DRAWS.format(probability=_probability(probability)),
                           {"salt": str(seed), "product": product, "share": share})
            rows += [(campaign, product, customer_no, channel, contacted_at, outcome)
                     for customer_no, outcome in cursor.fetchall()]
    if rows:
        _load(rows)
    trained = {}
    for product, *_rest in HISTORY:
        found = Product.objects.filter(code=product).first()
        if found is None or PropensityModel.objects.filter(product=found).exists():
            continue
        try:
            result = propensity_train(product=found, now=now)
        except NotEnoughHistory as exc:
            trained[product] = exc.message
            continue
        trained[product] = f"v{result.model.version} AUC {result.model.auc}"
    return trained


def _load(rows: list[tuple]) -> None:
    frame = pd.DataFrame(rows, columns=["campaign_code", "product_code", "customer_no", "channel", "contacted_at",
                                        "outcome"])
    campaign_responses_import(file=io.BytesIO(frame.to_csv(index=False).encode()))
