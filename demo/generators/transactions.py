"""Planning a year of transactions: system postings, what customers do themselves, and the balances."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone

from accounts.models import LIABILITY_KINDS
from transactions.models import Category, Direction

from .reference import (
    BRANCHES,
    CASH_MCC,
    CH,
    CHANNEL_HOURS,
    CHANNEL_MIX,
    CUSTOMER_CHANNELS,
    OPERATIONS,
    SPEND,
    K,
)

EXTERNAL_ID_PREFIX = "DEMO"


def _plan_transactions(rng: np.random.Generator, people: pd.DataFrame, accounts: pd.DataFrame,
                       merchants: dict[str, tuple[tuple[str, str], ...]], now: dt.datetime) -> pd.DataFrame:
    """A year of each customer's transactions, system postings first, then their own (numbered in that order)."""
    m = len(people)
    monthly_income = people["income"].to_numpy() / 12
    account_of = {}
    for kind in (K.SAVINGS, K.CREDIT_CARD, K.MORTGAGE, K.PERSONAL_LOAN):
        rows = accounts[accounts["kind"] == kind]
        account_of[kind] = _per_customer(m, rows["customer"], rows["account_no"])
    primary_rows = accounts[accounts["kind"].isin([K.CURRENT, K.DEBIT_CARD])]
    primary = _per_customer(m, primary_rows["customer"], primary_rows["account_no"])
    balance_of = dict(zip(accounts["account_no"], accounts["balance_cents"], strict=True))
    has_card = account_of[K.CREDIT_CARD] != ""

    parts = []

    def postings(who: np.ndarray, account: np.ndarray, day: int, hour: int, cents: np.ndarray, direction: str,
                 description: str, merchant: str = "", spread: float = 0.03) -> None:
        months = np.tile(np.arange(12), len(who))
        parts.append(pd.DataFrame({
            "customer": np.repeat(who, 12), "account_no": np.repeat(account[who], 12), "channel": CH.SYSTEM.value,
            "months_back": months, "day": day, "hour": hour,
            "amount_cents": np.maximum(np.repeat(cents[who], 12) * rng.normal(1, spread, len(months)), 1).round(),
            "direction": str(direction), "description": description, "merchant_name": merchant, "mcc": "",
            "terminal_id": "", "transfer_out": False,
        }))

    everyone = np.arange(m)
    retired = people["retired"].to_numpy()
    postings(everyone[people["salaried"].to_numpy()], primary, 10, 9, monthly_income * 100, Direction.CREDIT,
             "代发工资")
    postings(everyone[retired], primary, 5, 9, monthly_income * 100, Direction.CREDIT, "养老金发放")
    savings = account_of[K.SAVINGS]
    savings_balance = np.array([balance_of.get(a, 0) for a in savings], dtype=float)
    postings(everyone[savings != ""], savings, 21, 2, np.maximum(savings_balance * 0.0035 / 12, 1),
             Direction.CREDIT, "活期结息")
    for kind, rate, description in ((K.MORTGAGE, 0.0055, "房贷月供"), (K.PERSONAL_LOAN, 0.05, "贷款还款")):
        owed = np.array([balance_of.get(a, 0) for a in account_of[kind]], dtype=float)
        postings(everyone[account_of[kind] != ""], primary, 15, 6, owed * rate, Direction.DEBIT, description)
    sms_fee = rng.random(m) < 0.3
    postings(everyone[sms_fee], primary, 1, 3, np.full(m, 200.0), Direction.DEBIT, "短信通知服务费", spread=0)
    autopay = has_card & (rng.random(m) < 0.6)
    postings(everyone[autopay], account_of[K.CREDIT_CARD], 25, 5, monthly_income * 100 * rng.uniform(0.1, 0.3, m),
             Direction.CREDIT, "信用卡自动还款")
    system = pd.concat(parts, ignore_index=True)
    system["occurred_local"] = _monthly_dates(system, now)

    own = _plan_own_transactions(rng, people, primary, account_of[K.CREDIT_CARD], merchants, now)
    txns = pd.concat([system.drop(columns=["months_back", "day", "hour"]), own], ignore_index=True)
    txns = _spend_most_of_the_income(rng, txns, primary)
    txns = txns.sort_values("customer", kind="stable", ignore_index=True)
    sequence = txns.groupby("customer").cumcount() + 1
    customer_no = people["customer_no"].to_numpy()[txns["customer"].to_numpy()]
    txns["customer_no"] = customer_no
    txns["external_id"] = f"{EXTERNAL_ID_PREFIX}-" + pd.Series(customer_no) + "-" + sequence.astype(str).str.zfill(4)
    occurred = _to_utc(txns.pop("occurred_local"))
    occurred = occurred.where(occurred <= now, occurred - pd.Timedelta(days=1))  # later today: yesterday
    txns["occurred_at"] = occurred
    # quiet customers: nothing at all in their last quiet_days, postings included (ids stay as numbered)
    quiet_days = people["quiet_days"].to_numpy()[txns["customer"].to_numpy()]
    txns = txns[(occurred <= now - pd.to_timedelta(quiet_days, unit="D")).to_numpy()]
    txns["amount_cents"] = txns["amount_cents"].astype(np.int64)
    return txns.reset_index(drop=True)


def _per_customer(m: int, customer: pd.Series, values: pd.Series) -> np.ndarray:
    out = np.full(m, "", dtype=object)
    out[customer.to_numpy()] = values.to_numpy()
    return out


def _monthly_dates(system: pd.DataFrame, now: dt.datetime) -> pd.Series:
    """Local date-times of monthly postings, months_back months ago; one not yet due goes a year back."""
    local_now = timezone.localtime(now).replace(tzinfo=None)
    month_index = local_now.year * 12 + local_now.month - 1 - system["months_back"].to_numpy()
    stamps = pd.to_datetime(pd.DataFrame({"year": month_index // 12, "month": month_index % 12 + 1,
                                          "day": system["day"].to_numpy(), "hour": system["hour"].to_numpy()}))
    stamps = stamps + pd.to_timedelta(np.arange(len(system)) % 3600, unit="s")
    due = stamps <= pd.Timestamp(local_now)
    return stamps.where(due, stamps - pd.DateOffset(years=1))


def _to_utc(local: pd.Series) -> pd.Series:
    index = pd.DatetimeIndex(local).tz_localize(settings.TIME_ZONE, ambiguous=np.zeros(len(local), dtype=bool),
                                                nonexistent="shift_forward")
    return pd.Series(index.tz_convert("UTC"))


def _plan_own_transactions(rng: np.random.Generator, people: pd.DataFrame, primary: np.ndarray, card: np.ndarray,
                           merchants: dict[str, tuple[tuple[str, str], ...]], now: dt.datetime) -> pd.DataFrame:
    """What customers do themselves: older ones at the counter, younger ones on the phone app and cards."""
    m = len(people)
    age = people["age"].to_numpy()
    monthly_income = people["income"].to_numpy() / 12
    quiet_days = people["quiet_days"].to_numpy()
    group = np.where(age < 35, 0, np.where(age < 60, 1, 2))
    channel_share = np.vstack([rng.dirichlet(CHANNEL_MIX[g] * 25) for g in group])
    categories = list(merchants)
    base = np.array([SPEND[c][0] for c in categories])
    tilt = np.ones((m, len(categories)))
    index = {c: i for i, c in enumerate(categories)}

    def scale(category, rows, factor):
        if category in index:
            tilt[rows, index[category]] *= factor

    old, young, parents = age >= 60, age < 30, (age >= 30) & (age < 50)
    for category, factor in ((Category.HEALTH, 3), (Category.ENTERTAINMENT, 0.4), (Category.TRAVEL, 0.7),
                             (Category.EDUCATION, 0.3)):
        scale(category, old, factor)
    scale(Category.DINING, young, 1.3)
    scale(Category.ENTERTAINMENT, young, 1.6)
    scale(Category.EDUCATION, parents, 2)
    drives = rng.random(m) < 0.4
    scale(Category.FUEL, drives, 2.5)
    scale(Category.FUEL, ~drives, 0.15)
    category_share = np.vstack([rng.dirichlet(row * 6 + 1e-3) for row in base * tilt / (base * tilt).sum(1)[:, None]])

    # how many: quiet customers only act in the older part of the year
    active_share = (365 - quiet_days) / 365
    count = np.round(np.clip(rng.gamma(3, 15, m) + 10, 15, 95) * active_share).astype(int)
    customer = np.repeat(np.arange(m), count)
    n = len(customer)
    channel_ix = _draw_rows(rng, channel_share[customer])
    channel = np.array(CUSTOMER_CHANNELS, dtype=object)[channel_ix]

    ops = np.array(OPERATIONS, dtype=object)
    op = np.empty(n, dtype=int)
    for ch in CUSTOMER_CHANNELS:
        rows = np.nonzero(channel == ch)[0]
        choices = np.nonzero(ops[:, 0] == ch)[0]
        weights = ops[choices, 4].astype(float)
        op[rows] = rng.choice(choices, size=len(rows), p=weights / weights.sum())
    has_card = card[customer] != ""
    # no card to repay: the channel's transfer out instead
    for ch in CUSTOMER_CHANNELS:
        repay_here = (channel == ch) & (ops[op, 3] == "repay") & ~has_card
        if repay_here.any():
            op[repay_here] = np.nonzero((ops[:, 0] == ch) & (ops[:, 3] == "transfer")
                                        & (ops[:, 2] == Direction.DEBIT))[0][0]
    repay = ops[op, 3] == "repay"
    kind = ops[op, 3]
    direction = ops[op, 2].astype(str)
    typical = ops[op, 5].astype(float)

    spend_factor = np.clip(np.sqrt(monthly_income[customer] / 10_000), 0.4, 3)
    noise = rng.lognormal(0, 0.7, n)
    amount = typical * spend_factor * noise
    mcc = np.full(n, "", dtype=object)
    merchant = np.full(n, "", dtype=object)
    spend = kind == "spend"
    bill = kind == "bill"
    category = np.full(n, -1)
    category[spend] = _draw_rows(rng, category_share[customer[spend]])
    if Category.UTILITIES in index:
        category[bill] = index[Category.UTILITIES]
    for c, cat in enumerate(categories):
        rows = np.nonzero(category == c)[0]
        table = merchants[cat]
        picked = rng.integers(0, len(table), len(rows))
        mcc[rows] = [table[p][0] for p in picked]
        merchant[rows] = [table[p][1] for p in picked]
        amount[rows[spend[rows]]] = SPEND[cat][1] * spend_factor[rows[spend[rows]]] * noise[rows[spend[rows]]]
    cash = kind == "cash"
    amount[cash] = np.maximum(np.round(amount[cash], -2), 100)
    transfer = kind == "transfer"
    amount[transfer] = np.round(typical[transfer] * (monthly_income[customer[transfer]] / 8000) ** 0.7
                                * noise[transfer], 0)
    amount = np.maximum(amount, 1)
    withdrawal = (channel == CH.ATM) & (direction == Direction.DEBIT)
    mcc[withdrawal] = CASH_MCC

    account = primary[customer].copy()
    on_card = ((channel == CH.POS) & spend & has_card & (rng.random(n) < 0.55)) | (repay & has_card)
    account[on_card] = card[customer][on_card]

    branch_numbers = np.array([b.number for b in BRANCHES])
    home = np.array([[b.code for b in BRANCHES].index(code) for code in people["branch"]])[customer]
    branch = np.where(rng.random(n) < 0.8, home, rng.integers(0, len(BRANCHES), n))
    machine = rng.integers(1, 13, n)
    terminal = np.full(n, "", dtype=object)
    for ch, template in ((CH.ATM, "ATM{b}{k:03d}"), (CH.SELF_SERVICE, "SST{b}{k:03d}"),
                         (CH.COUNTER, "CTR{b}W{k:02d}")):
        rows = np.nonzero(channel == ch)[0]
        terminal[rows] = [template.format(b=branch_numbers[branch[r]], k=machine[r]) for r in rows]
    pos = np.nonzero(channel == CH.POS)[0]
    terminal[pos] = [f"{t:08d}" for t in rng.integers(10_000_000, 100_000_000, len(pos))]

    # when: a day in the customer's active part of the year, an hour the channel is used
    days_back = quiet_days[customer] + np.floor(rng.random(n) * (365 - quiet_days[customer])).astype(int)
    hour = np.empty(n, dtype=int)
    for ch in CUSTOMER_CHANNELS:
        rows = np.nonzero(channel == ch)[0]
        hour[rows] = rng.choice(24, size=len(rows), p=CHANNEL_HOURS[ch])
    today = np.datetime64(timezone.localdate(now), "s")
    local = today - days_back.astype("timedelta64[D]") + (hour * 3600 + rng.integers(0, 3600, n)).astype(
        "timedelta64[s]")
    return pd.DataFrame({
        "customer": customer, "account_no": account, "channel": channel.astype(str),
        "amount_cents": np.round(amount * 100), "direction": direction, "description": ops[op, 1].astype(str),
        "merchant_name": merchant, "mcc": mcc, "terminal_id": terminal, "occurred_local": pd.Series(local),
        "transfer_out": transfer & (direction == Direction.DEBIT.value) & (account == primary[customer]),
    })


def _spend_most_of_the_income(rng: np.random.Generator, txns: pd.DataFrame, primary: np.ndarray) -> pd.DataFrame:
    """Scale each customer's transfers out so that 80-100 % of what came into the main account leaves it again.

    Card payments alone spend a fraction of a salary; without this, main accounts would pile up a year's pay.
    """
    on_primary = (txns["account_no"].to_numpy() == primary[txns["customer"].to_numpy()])
    credit = (txns["direction"] == Direction.CREDIT.value).to_numpy()
    transfer_out = txns.pop("transfer_out").to_numpy(dtype=bool)
    amount = txns["amount_cents"].to_numpy(dtype=float, copy=True)
    customers = txns["customer"].to_numpy()
    m = len(primary)
    money_in = np.bincount(customers, weights=amount * (on_primary & credit), minlength=m)
    money_out = np.bincount(customers, weights=amount * (on_primary & ~credit), minlength=m)
    transfers = np.bincount(customers, weights=amount * transfer_out, minlength=m)
    gap = money_in * rng.uniform(0.8, 1.0, m) - money_out
    factor = np.clip(1 + np.divide(gap, transfers, out=np.zeros(m), where=transfers > 0), 1, 40)
    amount[transfer_out] = np.round(amount[transfer_out] * factor[customers[transfer_out]], -2)
    return txns.assign(amount_cents=np.maximum(amount, 1))


def _draw_rows(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """One column index per row, row i drawn with the probabilities shares[i]."""
    cumulative = np.cumsum(shares, axis=1)
    cumulative /= cumulative[:, -1:]
    return np.minimum((rng.random(len(shares))[:, None] > cumulative).sum(axis=1), shares.shape[1] - 1)


def _settle_balances(accounts: pd.DataFrame, txns: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """balance_after for every row, and each account's balance = its newest balance_after.

    A planned balance that the year's flows would have taken below zero (or a card paid beyond what is owed)
    is raised just enough, so the history and the balance tell the same story.
    """
    kinds = dict(zip(accounts["account_no"], accounts["kind"], strict=True))
    txns = txns.sort_values(["account_no", "occurred_at", "external_id"], ignore_index=True)
    owed = txns["account_no"].map(kinds).isin([k.value for k in LIABILITY_KINDS])
    debit = txns["direction"] == Direction.DEBIT
    effect = txns["amount_cents"].where(debit == owed, -txns["amount_cents"])
    by_account = effect.groupby(txns["account_no"])
    later = by_account.transform("sum") - by_account.cumsum()  # what happened after each row
    needed = later.groupby(txns["account_no"]).max()
    balance = accounts.set_index("account_no")["balance_cents"]
    balance = np.maximum(balance, needed.reindex(balance.index, fill_value=0))
    txns["balance_after_cents"] = txns["account_no"].map(balance) - later
    accounts = accounts.assign(balance_cents=accounts["account_no"].map(balance).to_numpy())
    return accounts, txns
