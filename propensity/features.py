"""What the CRM knew about a customer at a moment: the features, set-wise, for many (customer, moment) points.

A point is a contact to learn from (the moment of the contact) or a customer to score (now). Every
figure looks only at what existed before the point's moment — accounts opened before the day of the
contact and not closed by then, balances from the newest transaction before it, transactions and consent
records before it, earlier contacts and the answers known by then — so no feature carries the outcome
(the product's own account opened after the contact, a later answer). Profile fields the CRM keeps
without history (gender, occupation, segment, city, branch, income band) are read as they are now.

Money (AUM, loans, spend) is in the base currency, converted as the scores convert it (scoring.compute.money): a
balance at the latest rate on or before the point's day, a transaction at the latest rate on or before its own
local day. Money in a currency without a rate by then is left out of the figure (the score run reports such
money; here it would only blur a feature).

One SQL statement over a temporary table of points, read back with COPY into a pandas frame.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import DEPOSIT_KINDS, LIABILITY_KINDS, WEALTH_KINDS, Account, Product, ProductKind
from branches.models import Branch
from campaigns.models import CampaignRecipient, ContactResponse
from customers.models import ConsentRecord, ContactChannel, Customer
from scoring.compute.money import Rates, local_day, rates_load
from transactions.models import Transaction

KINDS = list(ProductKind.values)
CHANNELS = list(ContactChannel.values)
NUMERIC = ["age", "tenure_days", *[f"holds_{kind}" for kind in KINDS], "aum", "loans", "tx_count_365",
           "spend_365", "recency_days", "self_service_ratio", *[f"consent_{c}" for c in CHANNELS],
           "prior_contacts", "prior_responses", "prior_conversions", "days_since_contact"]
CATEGORICAL = ["gender", "occupation", "segment", "city", "branch", "income_band", "last_outcome"]
MONEY = ["aum", "loans", "spend_365"]  # learned on log(1 + x): a few rich customers would dominate otherwise
FEATURES = NUMERIC + CATEGORICAL

_SQL = """
WITH acc AS (
    SELECT p.point_id,
           min(a.opened_at) AS first_opened,
           {holdings},
           sum({balance}) FILTER (WHERE pr.kind = ANY(%(asset_kinds)s) AND {open_then}) AS aum,
           sum({balance}) FILTER (WHERE pr.kind = ANY(%(liability_kinds)s) AND {open_then}) AS loans
    FROM pg_temp.propensity_points p JOIN {accounts} a ON a.customer_id = p.customer_id AND a.opened_at < p.day
           JOIN {products} pr ON pr.id = a.product_id
           {balance_join}
    GROUP BY p.point_id),
tx AS (
    SELECT p.point_id, count(*) AS tx_count_365,
           COALESCE(sum({amount}) FILTER (WHERE t.direction = 'DEBIT'), 0) AS spend_365,
           EXTRACT(EPOCH FROM p.at - max(t.occurred_at)) / 86400.0 AS recency_days,
           avg(CASE WHEN t.channel <> 'COUNTER' THEN 1.0 ELSE 0.0 END)
               FILTER (WHERE t.occurred_at >= p.at - interval '180 days') AS self_service_ratio
    FROM pg_temp.propensity_points p JOIN {transactions} t ON t.customer_id = p.customer_id AND t.occurred_at < p.at
                                 AND t.occurred_at >= p.at - interval '365 days' AND t.channel <> 'SYSTEM'
    GROUP BY p.point_id, p.at),
cons AS (
    SELECT x.point_id, {consents}
    FROM (SELECT DISTINCT ON (p.point_id, c.channel) p.point_id, c.channel, c.granted
          FROM pg_temp.propensity_points p JOIN {consent_records} c ON c.customer_id = p.customer_id AND c.at < p.at
          ORDER BY p.point_id, c.channel, c.at DESC, c.id DESC) AS x
    GROUP BY x.point_id),
ev AS (
    SELECT r.customer_id, r.sent_at AS at,
           CASE WHEN r.converted_at IS NOT NULL THEN 'converted'
                WHEN r.response IN ('interested', 'declined', 'converted') THEN r.response
                ELSE 'no_answer' END AS answer,
           COALESCE(r.converted_at, r.responded_at, r.sent_at) AS answered_at
    FROM {recipients} r
         JOIN (SELECT DISTINCT customer_id FROM pg_temp.propensity_points) pc ON pc.customer_id = r.customer_id
    WHERE r.sent_at IS NOT NULL AND NOT r.holdout
    UNION ALL
    SELECT cr.customer_id, cr.contacted_at, cr.outcome, cr.contacted_at
    FROM {responses} cr
         JOIN (SELECT DISTINCT customer_id FROM pg_temp.propensity_points) pc ON pc.customer_id = cr.customer_id),
hist AS (
    SELECT p.point_id, count(*) AS prior_contacts,
           count(*) FILTER (WHERE e.answered_at < p.at AND e.answer IN ('interested', 'converted'))
               AS prior_responses,
           count(*) FILTER (WHERE e.answered_at < p.at AND e.answer = 'converted') AS prior_conversions,
           EXTRACT(EPOCH FROM p.at - max(e.at)) / 86400.0 AS days_since_contact,
           (array_agg(CASE WHEN e.answered_at < p.at THEN e.answer ELSE 'no_answer' END
                      ORDER BY e.at DESC))[1] AS last_outcome
    FROM pg_temp.propensity_points p JOIN ev e ON e.customer_id = p.customer_id AND e.at < p.at
    GROUP BY p.point_id, p.at)
SELECT p.point_id, p.customer_id,
       EXTRACT(YEAR FROM age(p.day, c.date_of_birth)) AS age,
       p.day - LEAST(acc.first_opened, (c.created_at AT TIME ZONE %(tz)s)::date) AS tenure_days,
       {holding_columns},
       COALESCE(acc.aum, 0) AS aum, COALESCE(acc.loans, 0) AS loans,
       COALESCE(tx.tx_count_365, 0) AS tx_count_365, COALESCE(tx.spend_365, 0) AS spend_365,
       tx.recency_days, tx.self_service_ratio,
       {consent_columns},
       COALESCE(hist.prior_contacts, 0) AS prior_contacts, COALESCE(hist.prior_responses, 0) AS prior_responses,
       COALESCE(hist.prior_conversions, 0) AS prior_conversions, hist.days_since_contact,
       c.gender, c.occupation, c.segment, c.city, b.name AS branch, c.income_band,
       COALESCE(hist.last_outcome, 'none') AS last_outcome
FROM pg_temp.propensity_points p JOIN {customers} c ON c.id = p.customer_id JOIN {branches} b ON b.id = c.home_branch_id
       LEFT JOIN acc ON acc.point_id = p.point_id LEFT JOIN tx ON tx.point_id = p.point_id
       LEFT JOIN cons ON cons.point_id = p.point_id LEFT JOIN hist ON hist.point_id = p.point_id
"""

# the newest balance a transaction reported before the moment; an account with none keeps the stored one
_BALANCE_THEN = """LEFT JOIN LATERAL (
               SELECT t.balance_after FROM {transactions} t
               WHERE t.account_id = a.id AND t.occurred_at < p.at AND t.balance_after IS NOT NULL
               ORDER BY t.occurred_at DESC LIMIT 1) AS bal ON true"""


@dataclass
class Points:
    """(customer id, moment) pairs; `current` means every moment is now (scoring): balances as stored."""

    customer_ids: np.ndarray
    moments: pd.Series  # aware timestamps
    current: bool = False


# how far before a point's day its figures reach: the transactions of the 365 days before its moment
LOOKBACK_DAYS = 366


def _statement(*, current: bool, rates: Rates) -> str:
    table = {name: connection.ops.quote_name(model._meta.db_table) for name, model in {
        "accounts": Account, "products": Product, "transactions": Transaction, "consent_records": ConsentRecord,
        "recipients": CampaignRecipient, "responses": ContactResponse, "customers": Customer,
        "branches": Branch}.items()}
    open_then = "(a.closed_at IS NULL OR a.closed_at >= p.day)"
    # kinds and channels are the models' own codes, so they can name columns; values stay parameters
    holdings = ", ".join(f"count(*) FILTER (WHERE pr.kind = '{kind}' AND (a.closed_at IS NULL OR a.closed_at >= "
                         f"p.day)) AS n_{kind.lower()}" for kind in KINDS)
    consents = ", ".join(f"bool_or(x.granted) FILTER (WHERE x.channel = '{c}') AS c_{c.lower()}" for c in CHANNELS)
    return _SQL.format(
        holdings=holdings, open_then=open_then,
        balance=rates.to_base("a", "a.balance" if current else "COALESCE(bal.balance_after, a.balance)", "p.day"),
        amount=rates.to_base("t", "t.amount", local_day("t")),
        balance_join="" if current else _BALANCE_THEN.format(transactions=table["transactions"]),
        consents=consents,
        holding_columns=", ".join(f'(COALESCE(acc.n_{k.lower()}, 0) > 0)::int AS "holds_{k}"' for k in KINDS),
        consent_columns=", ".join(f'COALESCE(cons.c_{c.lower()}, false)::int AS "consent_{c}"' for c in CHANNELS),
        **table)


def features_frame(points: Points) -> pd.DataFrame:
    """One row per point (index point_id = position in `points`), the columns of FEATURES plus customer_id."""
    buffer = io.StringIO()
    moments = pd.to_datetime(pd.Series(points.moments).reset_index(drop=True), utc=True)
    pd.DataFrame({"point_id": np.arange(len(points.customer_ids)), "customer_id": points.customer_ids,
                  "at": moments.map(lambda moment: moment.isoformat()),
                  "day": moments.dt.tz_convert(settings.TIME_ZONE).dt.date.astype(str)}).to_csv(
        buffer, index=False, header=False)
    buffer.seek(0)
    days = moments.dt.tz_convert(settings.TIME_ZONE).dt.date
    last = days.max() if len(days) else timezone.localdate()
    first = (days.min() if len(days) else last) - dt.timedelta(days=LOOKBACK_DAYS)
    params = {"tz": settings.TIME_ZONE, "base": settings.BASE_CURRENCY, "first_day": first, "today": last,
              "asset_kinds": [k.value for k in (*DEPOSIT_KINDS, *WEALTH_KINDS)],
              "liability_kinds": [k.value for k in LIABILITY_KINDS]}
    out = io.StringIO()
    with transaction.atomic(), connection.cursor() as cursor:
        # one statement aggregating millions of joined rows: enough memory that its hashes and sorts stay off
        # disk, and no JIT (its compile time is seconds against a plan this size); for this transaction only
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("DROP TABLE IF EXISTS pg_temp.propensity_points")
        cursor.execute("CREATE TEMP TABLE propensity_points (point_id bigint PRIMARY KEY, customer_id bigint "
                       "NOT NULL, at timestamptz NOT NULL, day date NOT NULL)")
        cursor.copy_expert("COPY pg_temp.propensity_points FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute("ANALYZE pg_temp.propensity_points")
        rates = rates_load(params)  # every foreign currency's rate on each day from `first` to `last`
        params.update(rates.params)
        query = cursor.mogrify(_statement(current=points.current, rates=rates), params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", out)
        cursor.execute("DROP TABLE pg_temp.propensity_points")
    out.seek(0)
    frame = pd.read_csv(out, dtype=dict.fromkeys(CATEGORICAL, "string"), keep_default_na=False,
                        na_values={name: [""] for name in NUMERIC})
    frame = frame.set_index("point_id").sort_index()
    for name in CATEGORICAL:
        frame[name] = frame[name].fillna("").astype(object)
    for name in NUMERIC:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return frame
