"""Writing a plan: bulk_create for customers, consents, accounts and cards; COPY for transactions."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection

from accounts.models import Account, Card, Product
from branches.models import Branch, Role, StaffProfile
from customers.models import ConsentRecord, ConsentSource, Customer, Segment

from .plan import DemoPlan
from .reference import BRANCHES
from .staff import _staff_usernames


def _write(*, plan: DemoPlan, branches: dict[str, Branch], now: dt.datetime) -> None:
    """One block: its customers, consents, accounts and cards, and its transactions into the staging table."""
    if plan.customers.empty:
        return
    staff = dict(StaffProfile.objects.filter(user__username__in=_staff_usernames()).values_list(
        "user__username", "user_id"))
    _customers_write(plan.customers, branches, staff)
    customer_ids = _ids(Customer, "customer_no", plan.customers["customer_no"])
    _consents_write(plan.consents, customer_ids, staff)
    _accounts_write(plan.accounts, branches, customer_ids, now)
    account_ids = _ids(Account, "account_no", plan.accounts["account_no"])
    _cards_write(plan.cards, customer_ids, account_ids)
    _staging_copy(plan.transactions, customer_ids, account_ids)


def _ids(model, key: str, values: pd.Series) -> dict[str, int]:
    return dict(model.objects.filter(**{f"{key}__in": list(values)}).values_list(key, "id"))


MODEL_FIELDS = ("customer_no", "full_name", "name_pinyin", "name_initials", "gender", "date_of_birth", "id_type",
                "id_expiry", "mobile", "email", "address", "city", "occupation", "employer", "income_band",
                "segment", "status", "kyc_status", "kyc_review_date", "risk_rating", "preferred_name", "salutation",
                "preferred_language", "preferred_contact_channel", "preferred_contact_time", "service_notes",
                "do_not_contact")


def _customers_write(people: pd.DataFrame, branches: dict[str, Branch], staff: dict[str, int]) -> None:
    """New customers only (demo_seed leaves existing ones out of the plan), each with a 'created' history entry.

    Not ignore_conflicts: the history rows need the new primary keys, and the advisory lock keeps a second seed out.
    """
    suffix = {b.code: b.suffix for b in BRANCHES}
    new = []
    for row in people.to_dict("records"):
        customer = Customer(home_branch=branches[row["branch"]], **{f: _none_if_missing(row[f]) for f in MODEL_FIELDS})
        if row["segment"] in (Segment.AFFLUENT, Segment.PRIVATE):
            customer.relationship_manager_id = staff.get(f"{Role.MANAGER}_{suffix[row['branch']]}")
        customer.set_id_number(row["id_number"])
        new.append(customer)
    Customer.objects.bulk_create(new, batch_size=1000)
    Customer.history.bulk_history_create(new, batch_size=1000, default_change_reason="demo data")


def _none_if_missing(value):
    return None if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)) else value


def _consents_write(consents: pd.DataFrame, customer_ids: dict[str, int], staff: dict[str, int]) -> None:
    """Consent records have no natural key: they are written once, with their (new) customer."""
    tellers = {b.code: staff.get(f"{Role.TELLER}_{b.suffix}") for b in BRANCHES}
    ConsentRecord.objects.bulk_create([
        ConsentRecord(customer_id=customer_ids[r["customer_no"]], channel=r["channel"], granted=r["granted"],
                      source=r["source"], at=r["at"].to_pydatetime(),
                      recorded_by_id=tellers[r["branch"]] if r["source"] == ConsentSource.COUNTER else None)
        for r in consents.to_dict("records")
    ], batch_size=2000)


def _accounts_write(accounts: pd.DataFrame, branches: dict[str, Branch], customer_ids: dict[str, int],
                    now: dt.datetime) -> None:
    products = dict(Product.objects.values_list("code", "id"))
    Account.objects.bulk_create([
        Account(account_no=r["account_no"], customer_id=customer_ids[r["customer_no"]],
                product_id=products[r["product"]], branch=branches[r["branch"]], currency="CNY",
                balance=_money(r["balance_cents"]), balance_as_of=now, status=r["status"], opened_at=r["opened_at"])
        for r in accounts.to_dict("records")
    ], batch_size=2000, ignore_conflicts=True)


def _money(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _cards_write(cards: pd.DataFrame, customer_ids: dict[str, int], account_ids: dict[str, int]) -> None:
    objs = []
    for r in cards.to_dict("records"):
        card = Card(account_id=account_ids[r["account_no"]], customer_id=customer_ids[r["customer_no"]],
                    kind=r["kind"], status=r["status"], expiry=r["expiry"])
        card.set_pan(r["pan"])
        objs.append(card)
    Card.objects.bulk_create(objs, batch_size=2000, ignore_conflicts=True)


STAGING_COLUMNS = ("channel", "external_id", "account_id", "customer_id", "occurred_at", "amount_cents",
                   "direction", "balance_after_cents", "mcc", "merchant_name", "terminal_id", "description")


STAGING_SQL = """
CREATE TEMP TABLE demo_transaction_staging (
    channel text, external_id text, account_id bigint, customer_id bigint, occurred_at timestamptz,
    amount_cents bigint, direction text, balance_after_cents bigint, mcc text, merchant_name text,
    terminal_id text, description text
) ON COMMIT DROP
"""
COPY_SQL = "COPY demo_transaction_staging FROM STDIN WITH (FORMAT csv)"
INSERT_SQL = """
INSERT INTO transactions_transaction (channel, external_id, account_id, customer_id, occurred_at, amount,
    direction, currency, balance_after, mcc, merchant_name, terminal_id, description)
SELECT channel, external_id, account_id, customer_id, occurred_at, amount_cents::numeric / 100, direction,
    'CNY', balance_after_cents::numeric / 100, coalesce(mcc, ''), coalesce(merchant_name, ''),
    coalesce(terminal_id, ''), coalesce(description, '')
FROM demo_transaction_staging
ON CONFLICT (channel, external_id) DO NOTHING
"""


def _staging_create() -> None:
    with connection.cursor() as cursor:
        # left by an earlier seed in the same transaction (tests)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.demo_transaction_staging")
        cursor.execute(STAGING_SQL)


def _staging_copy(txns: pd.DataFrame, customer_ids: dict[str, int], account_ids: dict[str, int]) -> None:
    frame = txns.assign(customer_id=txns["customer_no"].map(customer_ids),
                        account_id=txns["account_no"].map(account_ids))[list(STAGING_COLUMNS)]
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(COPY_SQL, buffer)


def _staging_insert() -> int:
    """Insert what is new from the staging table: a row seen before (channel + external id) is skipped."""
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL)
        return cursor.rowcount
