"""Loading products, accounts and exchange rates from CSV files (DESIGN §5), and the one list of every kind of
master-data file.

Accounts are the highest floor of the four kinds, so the registry of kinds (used by the import_records
command and the upload page) lives here and only reaches down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.imports import SPEC as BRANCHES_SPEC
from branches.imports import branches_import
from branches.models import Branch
from crm_site.csv_import import (
    DEFAULT_CHUNK_SIZE,
    Chunk,
    ChunkCounts,
    CsvSpec,
    ImportResult,
    csv_import,
    max_lengths,
    stored_rows,
    upsert_rows,
)
from crm_site.currencies import ISO_4217
from customers.imports import SPEC as CUSTOMERS_SPEC
from customers.imports import customers_import
from customers.models import Customer

from .models import FX_RATE_MAX, FX_RATE_MIN, FX_RATE_PLACES, Account, AccountStatus, FxRate, Product, ProductKind

PRODUCTS_SPEC = CsvSpec(kind="products", key="code", required=("code", "name", "kind"),
                        optional=("name_en", "launched_at"))
ACCOUNTS_SPEC = CsvSpec(kind="accounts", key="account_no",
                        required=("account_no", "customer_no", "product_code", "branch"),
                        optional=("currency", "balance", "opened_at", "status"))
PRODUCT_FIELDS = ["name", "name_en", "kind", "launched_at"]
ACCOUNT_FIELDS = ["customer_id", "product_id", "branch_id", "currency", "balance", "balance_as_of", "status",
                  "opened_at"]
FX_RATES_SPEC = CsvSpec(kind="fx_rates", key="currency", key_columns=("currency", "rate_date"),
                        required=("currency", "rate_date", "rate"))
RATE = rf"^\d{{1,10}}(\.\d{{1,{FX_RATE_PLACES}}})?$"
# the oldest rate worth loading, and how far ahead a rate may be dated (published the evening before its day)
FX_RATE_FIRST_DATE = dt.date(1970, 1, 1)
FX_RATE_DAYS_AHEAD = 1


def products_import(*, file: str | Path | IO[bytes], chunk_size: int = DEFAULT_CHUNK_SIZE,
                    max_rows: int | None = None) -> ImportResult:
    """Add new products to the catalogue and update changed ones (whether a product is active stays as it is)."""
    return csv_import(file=file, spec=PRODUCTS_SPEC, load_chunk=_load_products, chunk_size=chunk_size,
                      max_rows=max_rows)


def _load_products(chunk: Chunk) -> ChunkCounts:
    chunk.require(*PRODUCTS_SPEC.required)
    chunk.max_lengths(max_lengths(Product, {"code": "code", "name": "name", "name_en": "name_en"}))
    incoming = pd.DataFrame({
        "name": chunk.frame["name"].astype(object),
        "name_en": chunk.frame["name_en"].astype(object),
        "kind": chunk.choice("kind", ProductKind.values),
        "launched_at": chunk.date("launched_at"),
    })
    given = pd.DataFrame({field: chunk.given(field) for field in PRODUCT_FIELDS})
    stored = stored_rows(Product, chunk=chunk, key="code", fields=PRODUCT_FIELDS)
    return upsert_rows(model=Product, chunk=chunk, key="code", incoming=incoming, given=given, stored=stored)


def accounts_import(*, file: str | Path | IO[bytes], chunk_size: int = DEFAULT_CHUNK_SIZE,
                    max_rows: int | None = None) -> ImportResult:
    """Add new accounts and update changed ones, as the core banking system reports them.

    A balance that changes is stamped balance_as_of the time of the load, so an older transaction ingested
    later does not overwrite it. A new account needs opened_at: campaign results count an account opened
    after a contact as a conversion, so the date of the load would make conversions up.
    """
    return csv_import(file=file, spec=ACCOUNTS_SPEC, load_chunk=_load_accounts, chunk_size=chunk_size,
                      max_rows=max_rows)


def _load_accounts(chunk: Chunk) -> ChunkCounts:
    frame = chunk.frame
    chunk.require(*ACCOUNTS_SPEC.required)
    chunk.max_lengths(max_lengths(Account, {"account_no": "account_no"}))
    customers = dict(Customer.objects.filter(customer_no__in=chunk.codes("customer_no"))
                     .values_list("customer_no", "id"))
    products = dict(Product.objects.filter(code__in=chunk.codes("product_code")).values_list("code", "id"))
    branches = dict(Branch.objects.filter(code__in=chunk.codes("branch")).values_list("code", "id"))
    chunk.reject(chunk.given("currency") & ~frame["currency"].str.upper().isin(list(ISO_4217)),
                 lambda value: _("currency: %(value)s is not an ISO 4217 currency code.") % {"value": repr(value)},
                 frame["currency"])
    incoming = pd.DataFrame({
        "customer_id": chunk.lookup("customer_no", customers, _("customer_no: no customer has the number %(value)s.")),
        "product_id": chunk.lookup("product_code", products, _("product_code: no product has the code %(value)s.")),
        "branch_id": chunk.lookup("branch", branches, _("branch: no branch has the code %(value)s.")),
        "currency": frame["currency"].str.upper().astype(object),
        "balance": chunk.decimal("balance"),
        "balance_as_of": timezone.now(),
        "status": chunk.choice("status", AccountStatus.values),
        "opened_at": chunk.date("opened_at"),
    })
    stored = stored_rows(Account, chunk=chunk, key="account_no", fields=[*ACCOUNT_FIELDS, "closed_at"])
    new = stored["pk"].isna()
    chunk.reject(new & chunk.given("account_no") & ~chunk.given("opened_at"),
                 _("opened_at is required for an account not loaded before."))
    closed_before_opened = pd.Series([
        bool(opened and not pd.isna(closed) and opened > closed)
        for opened, closed in zip(incoming["opened_at"], stored["closed_at"], strict=True)], index=frame.index)
    chunk.reject(closed_before_opened, lambda closed: _("opened_at is after the day the account was closed "
                                                        "(%(closed)s).") % {"closed": closed}, stored["closed_at"])
    given = pd.DataFrame({
        "customer_id": chunk.given("customer_no"), "product_id": chunk.given("product_code"),
        "branch_id": chunk.given("branch"), "currency": chunk.given("currency"), "balance": chunk.given("balance"),
        "status": chunk.given("status"), "opened_at": chunk.given("opened_at"),
    })
    # the stamp goes with a new or changed balance only: a re-sent balance is not news
    given["balance_as_of"] = given["balance"] & (new | incoming["balance"].ne(stored["balance"]))
    return upsert_rows(model=Account, chunk=chunk, key="account_no", incoming=incoming[ACCOUNT_FIELDS],
                       given=given[ACCOUNT_FIELDS], stored=stored)


def fx_rates_import(*, file: str | Path | IO[bytes], chunk_size: int = DEFAULT_CHUNK_SIZE,
                    max_rows: int | None = None) -> ImportResult:
    """Add exchange rates and correct changed ones, by currency and date (DESIGN §4, §5).

    A rate is what one unit of the currency is worth in settings.BASE_CURRENCY on that day. Refused with a reason:
    the base currency itself (its rate is 1), a code that is not ISO 4217, a rate that is not positive or outside
    FX_RATE_MIN..FX_RATE_MAX (quoted the wrong way round, a misplaced point), a date that is not a date or lies
    before FX_RATE_FIRST_DATE or after tomorrow. Figures change at the next score refresh.
    """
    return csv_import(file=file, spec=FX_RATES_SPEC, load_chunk=_load_fx_rates, chunk_size=chunk_size,
                      max_rows=max_rows)


def _load_fx_rates(chunk: Chunk) -> ChunkCounts:
    frame = chunk.frame
    chunk.require(*FX_RATES_SPEC.required)
    currency = frame["currency"].str.upper()
    base = settings.BASE_CURRENCY
    chunk.reject(chunk.given("currency") & ~currency.isin(list(ISO_4217)),
                 lambda value: _("currency: %(value)s is not an ISO 4217 currency code.") % {"value": repr(value)},
                 frame["currency"])
    chunk.reject(currency == base, _("currency: %(base)s is the base currency; its rate is 1 by definition.")
                 % {"base": base})

    rate_date = chunk.date("rate_date")
    last = timezone.localdate() + dt.timedelta(days=FX_RATE_DAYS_AHEAD)
    out_of_range = rate_date.map(lambda day: day is not None and not FX_RATE_FIRST_DATE <= day <= last)
    chunk.reject(out_of_range, lambda value: _("rate_date: %(value)s is outside %(first)s to %(last)s.") % {
        "value": repr(value), "first": FX_RATE_FIRST_DATE.isoformat(), "last": last.isoformat()}, frame["rate_date"])

    shaped = frame["rate"].str.match(RATE)
    chunk.reject(chunk.given("rate") & ~shaped, lambda value: _(
        "rate: %(value)s is not a positive decimal number like 7.1234 (at most %(places)d decimals).") % {
        "value": repr(value), "places": FX_RATE_PLACES}, frame["rate"])
    rate = pd.Series([Decimal(value) if ok else None for value, ok in zip(frame["rate"], shaped, strict=True)],
                     index=frame.index, dtype=object)
    absurd = rate.map(lambda value: value is not None and not FX_RATE_MIN <= value <= FX_RATE_MAX)
    chunk.reject(absurd, lambda value: _("rate: %(value)s is outside %(min)s to %(max)s: zero, or quoted the "
                                         "wrong way round, or a misplaced decimal point?") % {
        "value": repr(value), "min": f"{FX_RATE_MIN:f}", "max": f"{FX_RATE_MAX:f}"}, frame["rate"])

    # "usd" and "USD" name the same rate: the file's repeated-key check compares them as written
    keys = (currency + " " + frame["rate_date"]).where(chunk.ok)
    repeated = keys.notna() & keys.duplicated(keep="first")
    chunk.reject(repeated, lambda value: _("currency + rate_date %(value)s is already in this file; a file holds "
                                           "each record once.") % {"value": value}, keys)

    ok = chunk.ok
    rows = pd.DataFrame({"currency": currency[ok], "rate_date": rate_date[ok], "rate": rate[ok]})
    return _fx_rates_upsert(rows)


FX_RATES_UPSERT = """
    WITH incoming AS (
        SELECT * FROM unnest(%(currencies)s::varchar[], %(dates)s::date[], %(rates)s::numeric[])
                      AS i(currency, rate_date, rate)),
    stored AS (
        SELECT f.currency, f.rate_date, f.rate FROM {table} f
        JOIN incoming i USING (currency, rate_date) FOR UPDATE OF f),
    written AS (
        INSERT INTO {table} (currency, rate_date, rate, loaded_at)
        SELECT i.currency, i.rate_date, i.rate, now() FROM incoming i
        ON CONFLICT (currency, rate_date) DO UPDATE SET rate = EXCLUDED.rate, loaded_at = EXCLUDED.loaded_at
        WHERE {table}.rate <> EXCLUDED.rate
        RETURNING 1)
    SELECT (SELECT count(*) FROM incoming i LEFT JOIN stored s USING (currency, rate_date) WHERE s.rate IS NULL),
           (SELECT count(*) FROM incoming i JOIN stored s USING (currency, rate_date) WHERE s.rate <> i.rate),
           (SELECT count(*) FROM written)
"""


def _fx_rates_upsert(rows: pd.DataFrame) -> ChunkCounts:
    """One INSERT … ON CONFLICT (currency, rate_date) for the chunk's valid rows; counts from the stored rates."""
    if rows.empty:
        return ChunkCounts()
    sql = FX_RATES_UPSERT.format(table=connection.ops.quote_name(FxRate._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"currencies": rows["currency"].tolist(), "dates": rows["rate_date"].tolist(),
                             "rates": rows["rate"].tolist()})
        inserted, updated, written = cursor.fetchone()
    if written != inserted + updated:  # the counts must tell what was written (csv_import undoes the chunk)
        raise AssertionError(f"fx_rates: {written} rows written, {inserted} new + {updated} changed")
    return ChunkCounts(inserted=inserted, updated=updated, unchanged=len(rows) - inserted - updated)


# --- every kind of master-data file --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportKind:
    name: str
    label: Promise
    spec: CsvSpec
    load: Callable[..., ImportResult]
    # who may load it (the upload page): adding and changing the rows it holds
    permissions: tuple[str, ...]
    history: bool = False  # whether load() keeps profile history (takes changed_by)


IMPORT_KINDS = {kind.name: kind for kind in (
    ImportKind("branches", gettext_lazy("Branches"), BRANCHES_SPEC, branches_import,
               ("branches.add_branch", "branches.change_branch")),
    ImportKind("products", gettext_lazy("Products"), PRODUCTS_SPEC, products_import,
               ("accounts.add_product", "accounts.change_product")),
    ImportKind("customers", gettext_lazy("Customers"), CUSTOMERS_SPEC, customers_import,
               ("customers.add_customer", "customers.change_customer", "customers.change_customer_identity"),
               history=True),
    ImportKind("accounts", gettext_lazy("Accounts"), ACCOUNTS_SPEC, accounts_import,
               ("accounts.add_account", "accounts.change_account")),
    ImportKind("fx_rates", gettext_lazy("Exchange rates"), FX_RATES_SPEC, fx_rates_import,
               ("accounts.add_fxrate", "accounts.change_fxrate")),
)}


def import_kind_register(kind: ImportKind) -> None:
    """Add a kind whose rows live on a higher floor (campaign_responses: campaigns), from its AppConfig.ready."""
    IMPORT_KINDS.setdefault(kind.name, kind)


def import_kinds_for(user: AbstractBaseUser) -> list[ImportKind]:
    """The kinds of file this member of staff may load, in loading order (branches first)."""
    return [kind for kind in IMPORT_KINDS.values() if user.has_perms(kind.permissions)]


def records_import(*, kind: str, file: str | Path | IO[bytes], changed_by: AbstractBaseUser | None = None,
                   chunk_size: int = DEFAULT_CHUNK_SIZE, max_rows: int | None = None) -> ImportResult:
    """Load one master-data file of the given kind (branches, products, customers, accounts, fx_rates, and the
    kinds registered from higher floors)."""
    spec = IMPORT_KINDS[kind]
    options = {"changed_by": changed_by} if spec.history else {}
    return spec.load(file=file, chunk_size=chunk_size, max_rows=max_rows, **options)
