"""Loading customer profiles from a CSV file (DESIGN §5): upsert by customer_no, keeping profile history.

The rules are the ones every other entry point uses: each row goes through services.customer_clean (mobile to
E.164, the name, resident ID check digit, region and birth date) and the derived fields are set as
services.customer_create sets them. What differs from the per-profile services is the writing: one COPY and
INSERT … ON CONFLICT per chunk, and the history rows of the profiles inserted or changed in one
INSERT … SELECT, with the reason "import".

An empty cell, or a column the file lacks, leaves the stored value as it is (a new profile gets the default):
a feed that does not know a customer's email must not wipe the one a teller took at the counter.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Branch
from crm_site.csv_import import (
    DEFAULT_CHUNK_SIZE,
    MASKS,
    Chunk,
    ChunkCounts,
    CsvSpec,
    ImportResult,
    copy_upsert,
    csv_import,
    max_lengths,
)

from . import identity
from .models import ConsentRecord, ConsentSource, ContactChannel, Customer, Gender, IdType, Segment
from .services import customer_clean

SPEC = CsvSpec(
    kind="customers", key="customer_no", required=("customer_no", "full_name", "home_branch"),
    optional=("gender", "date_of_birth", "id_type", "id_number", "mobile", "email", "city", "address", "occupation",
              "segment", "preferred_language", "preferred_channel", "marketing_consent"),
    masks=MASKS,
)
CHANGE_REASON = "import"
# file column -> the Customer field it fills
FIELD_OF = {
    "full_name": "full_name", "home_branch": "home_branch_id", "gender": "gender", "date_of_birth": "date_of_birth",
    "id_type": "id_type", "id_number": "id_number", "mobile": "mobile", "email": "email", "city": "city",
    "address": "address", "occupation": "occupation", "segment": "segment",
    "preferred_language": "preferred_language", "preferred_channel": "preferred_contact_channel",
}
UPDATE_FIELDS = [*FIELD_OF.values(), "id_number_hmac", "id_number_last4", "name_pinyin", "name_initials",
                 "updated_at"]
IDENTITY_COLUMNS = ("id_type", "id_number", "date_of_birth")
CLEANED_BY_SERVICE = ("full_name", "mobile", *IDENTITY_COLUMNS)
LENGTHS = {column: column for column in ("customer_no", "full_name", "email", "city", "address", "occupation")}
CONSENT = {"yes": True, "no": False}


def customers_import(*, file: str | Path | IO[bytes], changed_by: AbstractBaseUser | None = None,
                     chunk_size: int = DEFAULT_CHUNK_SIZE, max_rows: int | None = None) -> ImportResult:
    """Add the customers the file names for the first time and update those whose profile changed.

    `marketing_consent` yes (no) records granted (revoked) consent for every channel, source import, where
    the customer's current answer differs; empty leaves consent alone. changed_by is the history user.
    """
    load_chunk = functools.partial(_load_chunk, changed_by=changed_by)
    return csv_import(file=file, spec=SPEC, load_chunk=load_chunk, chunk_size=chunk_size, max_rows=max_rows)


@functools.lru_cache(maxsize=100_000)
def _name_keys(full_name: str) -> tuple[str, str]:
    return identity.name_search_keys(full_name)


def _check_cells(chunk: Chunk) -> dict[str, pd.Series]:
    """The checks each cell allows on its own (no database): the cleaned values by column."""
    chunk.require(*SPEC.required)
    chunk.max_lengths(max_lengths(Customer, LENGTHS))
    return {
        "gender": chunk.choice("gender", Gender.values),
        "id_type": chunk.choice("id_type", IdType.values),
        "segment": chunk.choice("segment", Segment.values),
        "preferred_language": chunk.choice("preferred_language", [code for code, _name in settings.LANGUAGES]),
        "preferred_channel": chunk.choice("preferred_channel", ContactChannel.values),
        "marketing_consent": chunk.choice("marketing_consent", CONSENT),
        "date_of_birth": chunk.date("date_of_birth"),
        "email": chunk.email("email"),
    }


def _load_chunk(chunk: Chunk, *, changed_by: AbstractBaseUser | None) -> ChunkCounts:
    frame = chunk.frame
    cleaned = _check_cells(chunk)
    branches = dict(Branch.objects.filter(code__in=chunk.codes("home_branch")).values_list("code", "id"))
    cleaned["home_branch"] = chunk.lookup("home_branch", branches, _("home_branch: no branch has the code %(value)s."))
    stored = {customer.customer_no: customer for customer in Customer.objects.select_for_update()
              .filter(customer_no__in=chunk.codes("customer_no")).order_by("pk")}

    columns = [c for c in FIELD_OF if c in chunk.present]
    given = {column: chunk.given(column).to_numpy() for column in columns}
    values = {column: (cleaned[column] if column in cleaned else frame[column]).to_numpy() for column in columns}
    consent_codes = cleaned["marketing_consent"].to_numpy()
    ok = chunk.ok
    inserted: list[Customer] = []
    changed: list[Customer] = []
    consent_wanted: list[tuple[Customer, bool]] = []
    for i, (row, customer_no) in enumerate(frame["customer_no"].items()):
        row_given = {column: values[column][i] for column in columns if given[column][i]}
        customer = stored.get(customer_no)
        try:
            target = _target(row_given, customer)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    chunk.reject_row(row, f"{field}: {message}")
            continue
        if not ok[i]:
            continue
        if customer is None:
            customer = Customer(customer_no=customer_no)
            _apply(customer, target)
            inserted.append(customer)
        elif _apply(customer, target):
            changed.append(customer)
        if consent_codes[i]:
            consent_wanted.append((customer, CONSENT[consent_codes[i]]))

    _write(inserted, changed, changed_by=changed_by)
    new_ids = {customer.pk for customer in inserted}
    consent_changed = _consents_record(consent_wanted, new_ids=new_ids, recorded_by=changed_by)
    updated = len({customer.pk for customer in changed} | (consent_changed - new_ids))
    return ChunkCounts(inserted=len(inserted), updated=updated, unchanged=int(chunk.ok.sum()) - len(inserted) - updated)


def _target(row_given: dict[str, Any], customer: Customer | None) -> dict[str, Any]:
    """The field values the row asks for, cleaned by the service's rules; ValidationError with every problem.

    The ID number is checked by its type and against the date of birth: the stored ones unless the row gives
    them, as customer_update does.
    """
    data = {column: row_given[column] for column in ("full_name", "mobile") if column in row_given}
    if any(column in row_given for column in IDENTITY_COLUMNS):
        stored = {"id_type": IdType.RESIDENT_ID, "id_number": "", "date_of_birth": None} if customer is None else {
            column: getattr(customer, column) for column in IDENTITY_COLUMNS}
        data.update({column: row_given.get(column, stored[column]) for column in IDENTITY_COLUMNS})
    cleaned = customer_clean(data=data)
    target = {FIELD_OF[column]: value for column, value in row_given.items() if column not in CLEANED_BY_SERVICE}
    target.update(cleaned)
    return target


def _apply(customer: Customer, target: dict[str, Any]) -> bool:
    """Set what differs, keeping the derived fields in step; whether anything changed."""
    changed = False
    for field, value in target.items():
        if field == "id_number":
            if value != (customer.id_number or ""):
                customer.set_id_number(value)
                changed = True
        elif getattr(customer, field) != value:
            setattr(customer, field, value)
            changed = True
            if field == "full_name":
                customer.name_pinyin, customer.name_initials = _name_keys(value)
    return changed


def _write(inserted: list[Customer], changed: list[Customer], *, changed_by: AbstractBaseUser | None) -> None:
    if not inserted and not changed:
        return
    # One statement for both: ON CONFLICT also covers a profile another load inserted since we looked.
    copy_upsert(Customer, [*inserted, *changed], key="customer_no", update_fields=UPDATE_FIELDS)
    _history_record(inserted_ids=[c.pk for c in inserted], changed_ids=[c.pk for c in changed], changed_by=changed_by)


def _history_record(*, inserted_ids: list[int], changed_ids: list[int], changed_by: AbstractBaseUser | None) -> None:
    """One history row per profile inserted ("+") or changed ("~"), copied from the row as written.

    These are the rows simple_history's bulk_history_create would add, made by one INSERT … SELECT instead of
    two model objects per profile in Python; the columns come from the history model, so they stay in step.
    The ID number is copied as ciphertext: the history field decrypts with the same keys.
    """
    history = Customer.history.model
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in history.tracked_fields]
    source = ", ".join(f"c.{column}" for column in columns)
    sql = (f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}, history_date, "  # noqa: S608 - model names
           f"history_change_reason, history_type, history_user_id) "
           f"SELECT {source}, %s, %s, w.history_type, %s "
           f"FROM unnest(%s::bigint[], %s::varchar[]) AS w(id, history_type) "
           f"JOIN {quote(Customer._meta.db_table)} c ON c.id = w.id ORDER BY c.id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), CHANGE_REASON, getattr(changed_by, "pk", None), inserted_ids + changed_ids,
                             ["+"] * len(inserted_ids) + ["~"] * len(changed_ids)])


def _consents_record(wanted: list[tuple[Customer, bool]], *, new_ids: set[int],
                     recorded_by: AbstractBaseUser | None) -> set[int]:
    """A consent record per channel where the customer's current answer (the newest record) differs; a
    customer inserted by this chunk has none yet, so theirs are not looked up.

    Returns the ids of the customers given one.
    """
    if not wanted:
        return set()
    table = connection.ops.quote_name(ConsentRecord._meta.db_table)
    sql = (f"INSERT INTO {table} (customer_id, channel, granted, source, recorded_by_id, at) "  # noqa: S608 - model name
           f"SELECT w.customer_id, ch.channel, w.granted, %s, %s, %s "
           f"FROM unnest(%s::bigint[], %s::boolean[], %s::boolean[]) AS w(customer_id, granted, is_new) "
           f"CROSS JOIN unnest(%s::varchar[]) AS ch(channel) "
           f"WHERE w.is_new OR (SELECT r.granted FROM {table} r "
           f"                   WHERE r.customer_id = w.customer_id AND r.channel = ch.channel "
           f"                   ORDER BY r.at DESC, r.id DESC LIMIT 1) IS DISTINCT FROM w.granted "
           f"RETURNING customer_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [ConsentSource.IMPORT, getattr(recorded_by, "pk", None), timezone.now(),
                             [customer.pk for customer, _granted in wanted],
                             [granted for _customer, granted in wanted],
                             [customer.pk in new_ids for customer, _granted in wanted], ContactChannel.values])
        return {customer_id for (customer_id,) in cursor.fetchall()}
