"""The plan: every customer's rows as frames keyed by natural keys, one block of BLOCK customers at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

from transactions.models import MerchantCategory

from .accounts import _plan_accounts, _plan_cards
from .people import _plan_consents, _plan_customers, customer_number
from .reference import MERCHANTS
from .transactions import _plan_transactions, _settle_balances

BLOCK = 100  # customers per random stream


@dataclass
class DemoPlan:
    """Everything to be written, as frames keyed by natural keys (no database ids yet)."""

    customers: pd.DataFrame
    accounts: pd.DataFrame
    cards: pd.DataFrame
    consents: pd.DataFrame
    transactions: pd.DataFrame


def demo_plan(*, customers: int, seed: int, now: dt.datetime) -> DemoPlan:
    """All of the demo data of customers 1..N, in one plan."""
    blocks = list(demo_plan_blocks(customers=customers, seed=seed, now=now))
    return DemoPlan(**{name: pd.concat([getattr(b, name) for b in blocks], ignore_index=True)
                       for name in DemoPlan.__dataclass_fields__})


def demo_plan_blocks(*, customers: int, seed: int, now: dt.datetime, skip: set[str] | frozenset[str] = frozenset()
                     ) -> Iterator[DemoPlan]:
    """The demo data of customers 1..N less those in skip (by customer_no), one block of BLOCK customers at a time.

    Reads MerchantCategory, so that every MCC used is one the database knows.
    """
    merchants = _merchants()
    for block in range(-(-customers // BLOCK)):
        numbers = np.arange(block * BLOCK + 1, (block + 1) * BLOCK + 1)  # always a whole block: same draws
        wanted = {customer_number(int(n)) for n in numbers if n <= customers} - skip
        if not wanted:
            continue
        rng = np.random.default_rng([seed, block])
        fake = Faker("zh_CN")
        fake.seed_instance(f"{seed}:{block}")
        people = _plan_customers(rng, fake, numbers, now)
        accounts = _plan_accounts(rng, people, now)
        txns = _plan_transactions(rng, people, accounts, merchants, now)
        accounts, txns = _settle_balances(accounts, txns)
        parts = {"customers": people, "accounts": accounts, "cards": _plan_cards(rng, accounts, now),
                 "consents": _plan_consents(rng, people, now), "transactions": txns}
        yield DemoPlan(**{name: frame[frame["customer_no"].isin(wanted)].reset_index(drop=True)
                          for name, frame in parts.items()})


def _merchants() -> dict[str, tuple[tuple[str, str], ...]]:
    """MERCHANTS less any MCC the MerchantCategory table does not file under the same category."""
    known = dict(MerchantCategory.objects.values_list("mcc", "category"))
    merchants = {cat: tuple((mcc, name) for mcc, name in rows if known.get(mcc) == cat)
                 for cat, rows in MERCHANTS.items()}
    return {cat: rows for cat, rows in merchants.items() if rows}
