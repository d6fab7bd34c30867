"""Planning each customer's accounts and their cards."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from django.utils import timezone

from accounts.models import AccountStatus, CardKind, CardStatus, ProductKind
from customers.models import CustomerStatus, Segment

from .people import _pick
from .reference import (
    ACCOUNT_KINDS,
    BRANCHES,
    CREDIT_BIN,
    DEBIT_BIN,
    KIND_DIGITS,
    MAX_ACCOUNTS,
    PRODUCTS,
    K,
    _launch_date,
)


def _scramble(number: np.ndarray, multiplier: int) -> np.ndarray:
    """A bijection on 0..10**9-1, so numbers derived from customer numbers look random and never collide."""
    return (number.astype(np.int64) * multiplier + 12_345_678) % 1_000_000_000


def _plan_accounts(rng: np.random.Generator, people: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    today = timezone.localdate(now)
    m = len(people)
    age = people["age"].to_numpy()
    income = people["income"].to_numpy()
    wealth = people["wealth"].to_numpy()
    rich = people["segment"].isin([Segment.AFFLUENT, Segment.PRIVATE]).to_numpy()
    business = (people["segment"] == Segment.SMALL_BUSINESS).to_numpy()
    draws = rng.random((m, len(ACCOUNT_KINDS)))
    want = np.column_stack([
        np.ones(m, dtype=bool),
        draws[:, 1] < 0.55,
        draws[:, 2] < np.where(age < 60, 0.5, 0.15) * (income >= 50_000),
        draws[:, 3] < 0.12 + 0.25 * (age >= 50) + 0.2 * rich,
        draws[:, 4] < 0.06 + 0.45 * rich,
        draws[:, 5] < np.where((age >= 28) & (age <= 58) & (income >= 100_000), 0.3, 0.0),
        draws[:, 6] < 0.05 + 0.3 * business,
        draws[:, 7] < 0.06 + 0.1 * (age >= 40),
    ])
    want &= np.cumsum(want, axis=1) <= MAX_ACCOUNTS
    who, column = np.nonzero(want)
    n = len(who)
    slot = np.cumsum(want, axis=1)[who, column] - 1
    kind = np.array([k.value for k in ACCOUNT_KINDS], dtype=object)[column]
    primary = column == 0
    kind[primary & (rng.random(n) < 0.45)] = K.DEBIT_CARD.value
    product = _choose_products(rng, kind, age[who], income[who], business[who])

    noise = rng.lognormal(0, 0.6, n)
    monthly = income[who] / 12
    balance = np.select(
        [np.isin(kind, [K.CURRENT, K.DEBIT_CARD]), kind == K.SAVINGS, kind == K.TIME_DEPOSIT, kind == K.WEALTH,
         kind == K.MORTGAGE, kind == K.PERSONAL_LOAN, kind == K.CREDIT_CARD, kind == K.INSURANCE],
        [np.maximum(monthly * 1.5, 500) * noise, wealth[who] * 0.3 * noise,
         np.maximum(np.round(wealth[who] * 0.4 * noise, -3), 10_000),
         np.maximum(np.round(wealth[who] * 0.5 * noise, -3), 10_000),
         rng.uniform(300_000, 3_000_000, n) * np.sqrt(np.maximum(income[who], 50_000) / 200_000),
         rng.uniform(20_000, 300_000, n), rng.uniform(0, 0.8, n) * monthly,
         np.round(rng.uniform(10_000, 300_000, n), -2)],
    )
    # opened within the customer's adult life (at most 15 years ago) and after the product's launch; accounts
    # with transactions were opened before the year of transactions began
    transactional = np.isin(kind, [K.CURRENT, K.DEBIT_CARD, K.SAVINGS, K.CREDIT_CARD])
    latest = np.where(transactional, 366, 10)
    launched = {code: _launch_date(launched, today) for code, *_rest, launched, _share in PRODUCTS}
    earliest = np.array([(today - launched[p]).days for p in product])
    earliest = np.maximum(np.minimum(earliest, np.minimum((age[who] - 18) * 365, 15 * 365)), latest)
    opened_days = latest + rng.integers(0, 10**6, n) % (earliest - latest + 1)
    opened = [today - dt.timedelta(days=int(d)) for d in opened_days]
    dormant = people["status"].to_numpy()[who] == CustomerStatus.DORMANT
    branch = people["branch"].to_numpy()[who]
    number = people["customer_no"].str[1:].astype(np.int64).to_numpy()[who] - 100_000_000
    branch_number = {b.code: b.number for b in BRANCHES}
    account_no = [f"{branch_number[br]}{KIND_DIGITS[k]}{s:09d}{sl}"
                  for br, k, s, sl in zip(branch, kind, _scramble(number, 48_271_013), slot, strict=True)]
    return pd.DataFrame({
        "account_no": account_no,
        "customer_no": people["customer_no"].to_numpy()[who],
        "customer": who,  # row in people
        "number": number,
        "product": product,
        "kind": kind,
        "branch": branch,
        "balance_cents": np.round(balance * 100).astype(np.int64),
        "status": np.where(dormant & transactional, AccountStatus.DORMANT.value, AccountStatus.ACTIVE.value),
        "opened_at": opened,
    })


def _choose_products(rng, kind, age, income, business) -> np.ndarray:
    codes = np.empty(len(kind), dtype=object)
    for k in ProductKind.values:
        rows = np.nonzero(kind == k)[0]
        options = [(code, share) for code, pk, *_rest, share in PRODUCTS if pk == k]
        if not len(rows) or not options:
            continue
        codes[rows] = _pick(rng, [c for c, _ in options], len(rows), [s for _, s in options])
    young = age < 30
    codes[(kind == K.DEBIT_CARD) & young & (rng.random(len(kind)) < 0.5)] = "DC-YOUTH"
    codes[(kind == K.DEBIT_CARD) & ~young] = "DC-UNION"
    codes[(kind == K.PERSONAL_LOAN) & business] = "PL-BIZ"
    tier = np.where(income >= 500_000, "CC-PLAT", np.where(income >= 200_000, "CC-GOLD", "CC-STD"))
    card = (kind == K.CREDIT_CARD) & (codes != "CC-AIR")
    codes[card] = tier[card]
    return codes


def _plan_cards(rng: np.random.Generator, accounts: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    today = timezone.localdate(now)
    debit = accounts["kind"].isin([K.CURRENT, K.DEBIT_CARD]).to_numpy()
    credit = (accounts["kind"] == K.CREDIT_CARD).to_numpy()
    rows = accounts[debit | credit]
    n = len(rows)
    is_credit = credit[debit | credit]
    # 16 digits for credit cards, 19 for debit cards (as UnionPay issues them); one card per account
    debit_body = _scramble(rows["number"].to_numpy(), 69_069_317)
    credit_body = _scramble(rows["number"].to_numpy(), 27_182_819)
    slot = rows["account_no"].str[-1].to_numpy()
    pans = [luhn_complete(f"{CREDIT_BIN}{cb:09d}" if c else f"{DEBIT_BIN}80{sl}{db:09d}")
            for db, cb, sl, c in zip(debit_body, credit_body, slot, is_credit, strict=True)]
    months_ahead = rng.integers(1, 61, n)
    expiry = [_month_end(today, int(k)) for k in months_ahead]
    status = _pick(rng, [CardStatus.ACTIVE.value, CardStatus.BLOCKED.value], n, [0.99, 0.01])
    return pd.DataFrame({"account_no": rows["account_no"].to_numpy(), "customer_no": rows["customer_no"].to_numpy(),
                         "kind": np.where(is_credit, CardKind.CREDIT.value, CardKind.DEBIT.value),
                         "pan": pans, "expiry": expiry, "status": status})


def luhn_complete(partial: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return partial + str((10 - total % 10) % 10)


def _month_end(today: dt.date, months_ahead: int) -> dt.date:
    index = today.year * 12 + today.month - 1 + months_ahead + 1
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)
