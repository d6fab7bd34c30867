"""Loading products and accounts from CSV files (DESIGN §5), and the one list of every kind of master-data file.

Accounts are the highest floor of the four kinds, so the registry of kinds (used by the import_records
command and the upload page) lives here and only reaches down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd
from django.contrib.auth.models import AbstractBaseUser
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
from customers.imports import SPEC as CUSTOMERS_SPEC
from customers.imports import customers_import
from customers.models import Customer

from .models import Account, AccountStatus, Product, ProductKind

PRODUCTS_SPEC = CsvSpec(kind="products", key="code", required=("code", "name", "kind"),
                        optional=("name_en", "launched_at"))
ACCOUNTS_SPEC = CsvSpec(kind="accounts", key="account_no",
                        required=("account_no", "customer_no", "product_code", "branch"),
                        optional=("currency", "balance", "opened_at", "status"))
PRODUCT_FIELDS = ["name", "name_en", "kind", "launched_at"]
ACCOUNT_FIELDS = ["customer_id", "product_id", "branch_id", "currency", "balance", "balance_as_of", "status",
                  "opened_at"]
CURRENCY = r"^[A-Za-z]{3}$"


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
    bad_currency = chunk.given("currency") & ~frame["currency"].str.match(CURRENCY)
    chunk.reject(bad_currency, lambda value: _("currency: %(value)s is not a three-letter currency code.")
                 % {"value": repr(value)}, frame["currency"])
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
)}


def import_kind_register(kind: ImportKind) -> None:
    """Add a kind whose rows live on a higher floor (campaign_responses: campaigns), from its AppConfig.ready."""
    IMPORT_KINDS.setdefault(kind.name, kind)


def import_kinds_for(user: AbstractBaseUser) -> list[ImportKind]:
    """The kinds of file this member of staff may load, in loading order (branches first)."""
    return [kind for kind in IMPORT_KINDS.values() if user.has_perms(kind.permissions)]


def records_import(*, kind: str, file: str | Path | IO[bytes], changed_by: AbstractBaseUser | None = None,
                   chunk_size: int = DEFAULT_CHUNK_SIZE, max_rows: int | None = None) -> ImportResult:
    """Load one master-data file of the given kind (branches, products, customers, accounts, and the kinds
    registered from higher floors)."""
    spec = IMPORT_KINDS[kind]
    options = {"changed_by": changed_by} if spec.history else {}
    return spec.load(file=file, chunk_size=chunk_size, max_rows=max_rows, **options)
