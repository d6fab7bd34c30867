"""Reasons: the features that raise one customer's score most, kept as facts and worded when read.

The facts (`{"f": "aum", "top": 10}`, `{"f": "holds", "kind": "MORTGAGE"}`, …) are stored with the score, so
the same score reads "资产规模位于前 10%" to a teller working in Chinese and "Assets in the top 10%" to one
working in English. Only features pushing the score up are reasons; a customer near the average has fewer.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import ProductKind
from campaigns.models import OfferOutcome
from customers.models import ContactChannel, Gender, IncomeBand, Segment

TOP_BUCKETS = (1, 5, 10, 20, 30, 50)
MONEY_FACTS = ("aum", "loans", "spend_365")
REASONS_PER_SCORE = 3

FEATURE_LABELS = {
    "age": gettext_lazy("Age"), "tenure_days": gettext_lazy("Years with the bank"),
    "aum": gettext_lazy("Assets (AUM)"), "loans": gettext_lazy("Loans"),
    "tx_count_365": gettext_lazy("Transactions in the last year"),
    "spend_365": gettext_lazy("Spending in the last year"), "recency_days": gettext_lazy("Days since last transaction"),
    "self_service_ratio": gettext_lazy("Share of self-service transactions"),
    "prior_contacts": gettext_lazy("Earlier campaign contacts"),
    "prior_responses": gettext_lazy("Earlier campaigns answered"),
    "prior_conversions": gettext_lazy("Products taken after earlier campaigns"),
    "days_since_contact": gettext_lazy("Days since the last campaign contact"),
    "gender": gettext_lazy("Gender"), "occupation": gettext_lazy("Occupation"), "segment": gettext_lazy("Segment"),
    "city": gettext_lazy("City"), "branch": gettext_lazy("Home branch"), "income_band": gettext_lazy("Income band"),
    "last_outcome": gettext_lazy("Answer to the last campaign"),
    "missingindicator_recency_days": gettext_lazy("No transactions in the last year"),
    "missingindicator_days_since_contact": gettext_lazy("Never contacted by a campaign"),
    "missingindicator_age": gettext_lazy("Date of birth unknown"),
    "missingindicator_tenure_days": gettext_lazy("No accounts yet"),
    "missingindicator_self_service_ratio": gettext_lazy("No transactions in the last 180 days"),
}


def feature_label(name: str) -> str:
    if name.startswith("holds_"):
        return _("Holds: %(kind)s") % {"kind": ProductKind(name.removeprefix("holds_")).label}
    if name.startswith("consent_"):
        return _("Consent: %(channel)s") % {"channel": ContactChannel(name.removeprefix("consent_")).label}
    label = FEATURE_LABELS.get(name)
    return str(label) if label is not None else name


# --- facts, set-wise at scoring time ----------------------------------------------------------------------------


def _top_share(values: pd.Series) -> pd.Series:
    """The smallest bucket of TOP_BUCKETS (top x %) the value is in; 100 when in the lower half."""
    share = values.rank(ascending=False, pct=True, method="max") * 100
    bucket = pd.Series(100, index=values.index)
    for top in reversed(TOP_BUCKETS):
        bucket = bucket.where(share > top, top)
    return bucket


def reason_facts(frame: pd.DataFrame, contributions: pd.DataFrame) -> list[list[dict]]:
    """For each row of frame, the facts of its (up to) three features that raise its score most."""
    tops = {name: _top_share(frame[name]).to_numpy() for name in MONEY_FACTS}
    above = {name: (frame[name] > frame[name].median()).to_numpy() for name in MONEY_FACTS}
    values = contributions.to_numpy()
    names = list(contributions.columns)
    best = np.argsort(-values, axis=1)[:, :REASONS_PER_SCORE]
    columns_of = {name: frame[name].to_numpy() for name in frame.columns}
    result = []
    for i, columns in enumerate(best):
        row = _Row(columns_of, i)
        facts = []
        for column in columns:
            if values[i, column] <= 0.01:  # pushes the score up hardly at all: not a reason
                break
            fact = _fact(names[column], row, {name: (top[i], above[name][i]) for name, top in tops.items()})
            if fact is not None:
                facts.append(fact)
        result.append(facts)
    return result


class _Row:
    """One customer's values, read from the frame's columns on demand (no dict per customer)."""

    def __init__(self, columns: dict, index: int):
        self.columns = columns
        self.index = index

    def __getitem__(self, name: str):
        return self.columns[name][self.index]

    def get(self, name: str, default=None):
        return self.columns[name][self.index] if name in self.columns else default


def _int(value) -> int | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value))


def _fact(name: str, row: _Row, tops: dict) -> dict | None:
    if name.startswith("missingindicator_"):
        return {"f": "missing", "feature": name.removeprefix("missingindicator_")}
    if name.startswith("holds_"):
        return {"f": "holds" if row[name] else "lacks", "kind": name.removeprefix("holds_")}
    if name.startswith("consent_"):
        return {"f": "consent" if row[name] else "no_consent", "channel": name.removeprefix("consent_")}
    if name in tops:
        top, high = tops[name]
        if top <= 50:
            return {"f": name, "top": int(top)}
        # above the median but tied with most (e.g. any loan at all when half the customers have one)
        return {"f": name, "has": True} if high or (row[name] > 0 and name == "loans") else {"f": name, "low": True}
    if name == "prior_responses":
        return {"f": "answered", "n": _int(row["prior_responses"]), "of": _int(row["prior_contacts"])}
    if name == "tenure_days":
        days = _int(row[name])
        return None if days is None else {"f": "tenure", "years": days // 365}
    if name == "self_service_ratio":
        return {"f": name, "pct": _int((row[name] or 0) * 100)}
    if name in ("age", "tx_count_365", "recency_days", "prior_contacts", "prior_conversions", "days_since_contact"):
        value = _int(row[name])
        return None if value is None else {"f": name, "v": value}
    value = row.get(name)
    return {"f": name, "v": value} if value else None


# --- words, at read time, in the reader's language ------------------------------------------------------------


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def reason_text(fact: dict) -> str:
    kind = fact.get("f")
    if kind == "aum":
        if "top" in fact:
            return _("Assets in the top %(top)d%%") % {"top": fact["top"]}
        return _("More assets than most") if fact.get("has") else _("Smaller assets than most")
    if kind == "loans":
        if "top" in fact:
            return _("Loans in the top %(top)d%%") % {"top": fact["top"]}
        return _("Has loans with the bank") if fact.get("has") else _("Few or no loans")
    if kind == "spend_365":
        if "top" in fact:
            return _("Spending in the top %(top)d%% over the last year") % {"top": fact["top"]}
        return _("Spends more than most") if fact.get("has") else _("Spends less than most")
    if kind == "holds":
        return _("Holds: %(kind)s") % {"kind": _label(ProductKind, fact["kind"])}
    if kind == "lacks":
        return _("Does not hold: %(kind)s") % {"kind": _label(ProductKind, fact["kind"])}
    if kind == "consent":
        return _("Agreed to marketing by %(channel)s") % {"channel": _label(ContactChannel, fact["channel"])}
    if kind == "no_consent":
        return _("No marketing consent by %(channel)s") % {"channel": _label(ContactChannel, fact["channel"])}
    if kind == "answered":
        n, total = fact.get("n") or 0, fact.get("of") or 0
        if n == total == 2:
            return _("Answered both earlier campaigns")
        if n == total:
            return _("Answered all %(n)d earlier campaigns") % {"n": n}
        return _("Answered %(n)d of %(total)d earlier campaigns") % {"n": n, "total": total}
    if kind == "prior_conversions":
        return _("Took a product after %(n)d earlier campaigns") % {"n": fact["v"]}
    if kind == "prior_contacts":
        return _("Contacted by %(n)d earlier campaigns") % {"n": fact["v"]}
    if kind == "days_since_contact":
        return _("Last contacted %(n)d days ago") % {"n": fact["v"]}
    if kind == "tenure":
        return _("With the bank for %(n)d years") % {"n": fact["years"]}
    if kind == "age":
        return _("Aged %(n)d") % {"n": fact["v"]}
    if kind == "tx_count_365":
        return _("%(n)d transactions in the last year") % {"n": fact["v"]}
    if kind == "recency_days":
        if fact["v"] < 1:
            return _("Used the bank today")
        return _("Last transaction %(n)d days ago") % {"n": fact["v"]}
    if kind == "self_service_ratio":
        return _("Uses self-service for %(pct)d%% of transactions") % {"pct": fact["pct"]}
    if kind == "missing":
        return feature_label(f"missingindicator_{fact['feature']}")
    if kind == "gender":
        return _("Gender: %(value)s") % {"value": _label(Gender, fact["v"])}
    if kind == "segment":
        return _("Segment: %(value)s") % {"value": _label(Segment, fact["v"])}
    if kind == "income_band":
        return _("Income: %(value)s") % {"value": _label(IncomeBand, fact["v"])}
    if kind == "last_outcome":
        if fact["v"] == "none":
            return _("Never contacted by a campaign")
        return _("Last campaign: %(value)s") % {"value": _label(OfferOutcome, fact["v"])}
    if kind == "city":
        return _("Lives in %(value)s") % {"value": fact["v"]}
    if kind == "branch":
        return _("Customer of %(value)s") % {"value": fact["v"]}
    if kind == "occupation":
        return _("Occupation: %(value)s") % {"value": fact["v"]}
    return feature_label(str(kind))


def reasons_text(facts: list[dict]) -> list[str]:
    return [reason_text(fact) for fact in facts or []]
