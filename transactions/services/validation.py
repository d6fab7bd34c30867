"""Checking one chunk of feed rows, column by column over the whole chunk (no Python loop per row).

`chunk_validate` splits a chunk into the rows that can be loaded (typed, with their account and
customer ids) and the rejected ones, each with every reason that applies. The reasons are
{"field", "code", "message"}: the code is stable (for programs, and the page translates it), the
message is English and names the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

from crm_site.bounds import earliest_date
from crm_site.currencies import ISO_4217
from transactions.models import Channel, Direction, Transaction

from .fileformat import COLUMNS, EXTRA, MALFORMED

AMOUNT_INTEGER_DIGITS = 16  # NUMERIC(18, 2)
AMOUNT_MAX = Decimal("9999999999999999.99")  # the largest amount (and balance) a row may carry
TEXT_LIMITS = {name: Transaction._meta.get_field(name).max_length
               for name in ("external_id", "merchant_name", "terminal_id", "description")}
DECIMAL = r"[0-9]+(?:\.[0-9]+)?"
TIMESTAMP = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
             r"(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?")
OFFSET = r"(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)$"
CURRENCIES = sorted(ISO_4217)  # a currency is checked as a set: one isin over the chunk's column

# code -> what the batch page says about it (the stored message adds the value)
REASON_TEXT = {
    "bad_csv": _("The line is not valid CSV (a quote not closed, or text after a closing quote)."),
    "field_count": _("The row has more fields than the header."),
    "bad_encoding": _("The row is not valid UTF-8 text."),
    "required": _("A required value is missing."),
    "too_long": _("The value is longer than the field allows."),
    "unknown_channel": _("Not one of the channels."),
    "bad_direction": _("The direction is DEBIT or CREDIT."),
    "bad_amount": _("Not a plain decimal number like 1234.50."),
    "amount_not_positive": _("The amount must be more than zero (the direction says which way)."),
    "amount_too_precise": _("More than two decimal places."),
    "amount_too_large": _("The amount is too large."),
    "bad_currency": _("Not an ISO 4217 currency code like CNY or USD."),
    "bad_timestamp": _("Not an ISO 8601 date and time like 2025-03-01T14:30:00+08:00."),
    "future_timestamp": _("The time is in the future."),
    "occurred_too_old": _("The time is before the earliest date the bank records."),
    "bad_mcc": _("A merchant category code is four digits."),
    "bad_balance": _("The balance after is not a decimal number like -1234.50."),
    "unknown_account": _("No account with this number."),
}


@dataclass
class ChunkResult:
    valid: pd.DataFrame                                   # staging columns, index = row number
    rejected: list[tuple[int, dict, list[dict]]] = field(default_factory=list)  # (row number, raw, reasons)


@dataclass
class _Reasons:
    """Failing rows per rule, gathered over the chunk and turned into per-row lists at the end."""

    rules: list[tuple[pd.Series, str, str, str, Callable[[str], str]]] = field(default_factory=list)

    def add(self, failing: pd.Series, column: str, code: str, message: Callable[[str], str], *,
            field: str | None = None) -> None:
        """Rows where `failing` holds get `code` for `field` (default: the column whose value `message` gets)."""
        if failing.any():
            self.rules.append((failing, column, field or column, code, message))

    def failing(self, index: pd.Index) -> pd.Series:
        bad = pd.Series(False, index=index)
        for failing, *_rest in self.rules:
            bad |= failing
        return bad

    def by_row(self, values: pd.DataFrame) -> dict[int, list[dict]]:
        rows: dict[int, list[dict]] = {}
        for failing, column, field_name, code, message in self.rules:
            for row_number, value in values[column][failing].items():
                rows.setdefault(int(row_number), []).append(
                    {"field": field_name, "code": code, "message": message(value)})
        return rows


def accounts_lookup(chunk: pd.DataFrame) -> pd.DataFrame:
    """id, customer_id and currency of the chunk's accounts, by account number: one query for the chunk."""
    numbers = chunk["account_no"].unique() if "account_no" in chunk else []
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_no, id, customer_id, currency FROM accounts_account "
                       "WHERE account_no = ANY(%s)", [[number for number in numbers if number]])
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=["account_no", "account_id", "customer_id", "currency"]).set_index("account_no")


def chunk_validate(chunk: pd.DataFrame, *, accounts: pd.DataFrame, channel_hint: str = "",
                   check_encoding: bool = True, now: dt.datetime | None = None) -> ChunkResult:
    """Split a chunk (columns as read, index = row number) into loadable and rejected rows.

    `accounts` is accounts_lookup(chunk). No database access here, so this can run in a helper
    thread while the previous chunk is being written.
    """
    index = chunk.index
    empty = pd.Series("", index=index, dtype=str)
    values = pd.DataFrame({name: chunk.get(name, empty) for name in COLUMNS})
    reasons = _Reasons()

    malformed = chunk[MALFORMED] != "" if MALFORMED in chunk else pd.Series(False, index=index)
    reasons.add(malformed, MALFORMED, "bad_csv", field="row",
                message=lambda value: "the line is not valid CSV (a quote not closed, or text after a closing quote)")
    if EXTRA in chunk:
        reasons.add(chunk[EXTRA] != "", EXTRA, "field_count", field="row",
                    message=lambda value: f"the row has more fields than the header; the extra: '{value}'")
    if check_encoding:
        for name in chunk.columns:
            reasons.add(chunk[name].str.contains("[\ufffd\x00]", regex=True), name, "bad_encoding",
                        lambda _value, name=name: f"{name} has bytes that are not UTF-8 text")

    if channel_hint:
        values["channel"] = values["channel"].mask(values["channel"] == "", channel_hint)
    for name in ("external_id", "channel", "account_no", "occurred_at", "amount", "direction"):
        reasons.add(values[name] == "", name, "required", lambda _value, name=name: f"{name} is required")
    for name, limit in TEXT_LIMITS.items():
        reasons.add(values[name].str.len() > limit, name, "too_long",
                    lambda value, name=name, limit=limit: f"{name} is {len(value)} characters, at most {limit}")

    values["channel"] = values["channel"].str.upper()
    reasons.add((values["channel"] != "") & ~values["channel"].isin(Channel.values), "channel", "unknown_channel",
                lambda value: f"unknown channel '{value}' (one of {', '.join(Channel.values)})")
    values["direction"] = values["direction"].str.upper()
    reasons.add((values["direction"] != "") & ~values["direction"].isin(Direction.values), "direction",
                "bad_direction", lambda value: f"direction '{value}' is not DEBIT or CREDIT")

    _amount_check(values["amount"], reasons)
    balance = values["balance_after"]
    _balance_check(balance, reasons)

    currency = values["currency"].str.upper()
    reasons.add((currency != "") & ~currency.isin(CURRENCIES), "currency", "bad_currency",
                lambda value: f"currency '{value}' is not an ISO 4217 currency code")
    mcc = values["mcc"]
    reasons.add((mcc != "") & ~mcc.str.fullmatch(r"[0-9]{4}"), "mcc", "bad_mcc",
                lambda value: f"mcc '{value}' is not four digits")

    occurred_at = _timestamps_parse(values["occurred_at"], reasons)
    limit = (now or pd.Timestamp.now(tz="UTC")) + dt.timedelta(seconds=settings.INGEST_FUTURE_TOLERANCE_SECONDS)
    reasons.add(occurred_at > limit, "occurred_at", "future_timestamp",
                lambda value: f"occurred_at '{value}' is in the future")
    # year 1 parses, then breaks every page that converts it to local time (settings.EARLIEST_DATE)
    earliest = pd.Timestamp(earliest_date()).tz_localize(settings.TIME_ZONE)
    reasons.add(occurred_at < earliest, "occurred_at", "occurred_too_old",
                lambda value: f"occurred_at '{value}' is before {earliest_date().isoformat()}")

    account_numbers = values["account_no"]
    position = pd.Index(accounts.index).get_indexer(account_numbers)
    reasons.add((account_numbers != "") & (position < 0), "account_no", "unknown_account",
                lambda value: f"no account '{value}'")

    bad = reasons.failing(index)
    good = ~bad
    found = accounts.iloc[position[good.to_numpy()]]
    valid = pd.DataFrame({
        "row_no": index[good.to_numpy()],
        "channel": values["channel"][good],
        "external_id": values["external_id"][good],
        "account_id": found["account_id"].to_numpy(),
        "customer_id": found["customer_id"].to_numpy(),
        "occurred_at": occurred_at[good],
        "amount": values["amount"][good],
        "direction": values["direction"][good],
        "currency": currency[good].mask(currency[good] == "", found["currency"].to_numpy()),
        "balance_after": balance[good],
        "mcc": mcc[good],
        "merchant_name": values["merchant_name"][good],
        "terminal_id": values["terminal_id"][good],
        "description": values["description"][good],
    }, index=index[good.to_numpy()])

    rejected = []
    if bad.any():
        raw_columns = [name for name in chunk.columns if name not in (EXTRA, MALFORMED)]
        raw = chunk.loc[bad, raw_columns]
        marks = [name for name in (EXTRA, MALFORMED) if name in chunk]
        per_row = reasons.by_row(pd.concat([values, chunk[marks]], axis=1) if marks else values)
        for row_number, record in zip(raw.index, raw.to_dict("records"), strict=True):
            row_reasons = per_row[int(row_number)]
            if EXTRA in chunk and chunk.at[row_number, EXTRA]:
                record["_extra"] = chunk.at[row_number, EXTRA]
            if malformed.at[row_number]:  # its fields are a guess: the line is the one reason, kept as it was
                record["_line"] = chunk.at[row_number, MALFORMED]
                row_reasons = [reason for reason in row_reasons if reason["code"] == "bad_csv"]
            rejected.append((int(row_number), record, row_reasons))
    return ChunkResult(valid=valid, rejected=rejected)


def _digits(number: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Digits before and after the point of (well-formed) decimal strings."""
    length = number.str.len()
    point = number.str.find(".")
    sign = number.str.startswith("-").astype(int)
    before = length.where(point < 0, point) - sign
    after = (length - point - 1).where(point >= 0, 0)
    return before, after


def _amount_check(amount: pd.Series, reasons: _Reasons) -> None:
    given = amount != ""
    plain = amount.str.fullmatch(DECIMAL)
    negative = amount.str.fullmatch(rf"-{DECIMAL}")
    reasons.add(given & ~plain & ~negative, "amount", "bad_amount",
                lambda value: f"amount '{value}' is not a plain decimal number")
    reasons.add(negative | (plain & ~amount.str.contains("[1-9]", regex=True)), "amount", "amount_not_positive",
                lambda value: f"amount '{value}' is not more than zero")
    before, after = _digits(amount)
    decimal = plain | negative
    reasons.add(decimal & (after > 2), "amount", "amount_too_precise",
                lambda value: f"amount '{value}' has more than 2 decimal places")
    reasons.add(decimal & (before > AMOUNT_INTEGER_DIGITS), "amount", "amount_too_large",
                lambda value: f"amount '{value}' has more than {AMOUNT_INTEGER_DIGITS} digits before the point")


def _balance_check(balance: pd.Series, reasons: _Reasons) -> None:
    given = balance != ""
    decimal = balance.str.fullmatch(rf"-?{DECIMAL}")
    before, after = _digits(balance)
    reasons.add(given & ~decimal, "balance_after", "bad_balance",
                lambda value: f"balance_after '{value}' is not a decimal number")
    reasons.add(decimal & ((before > AMOUNT_INTEGER_DIGITS) | (after > 2)), "balance_after", "bad_balance",
                lambda value: f"balance_after '{value}' has more than {AMOUNT_INTEGER_DIGITS} digits before the "
                              "point or more than 2 after it")


def _timestamps_parse(text: pd.Series, reasons: _Reasons) -> pd.Series:
    """UTC timestamps (NaT where invalid); a time without an offset is local time (settings.TIME_ZONE)."""
    well_formed = text.str.fullmatch(TIMESTAMP)
    with_offset = well_formed & text.str.contains(OFFSET, regex=True)
    naive = well_formed & ~with_offset
    parts = [pd.Series(pd.NaT, index=text.index[~well_formed.to_numpy()], dtype="datetime64[us, UTC]")]
    if with_offset.any():
        parts.append(pd.to_datetime(text[with_offset], format="ISO8601", errors="coerce", utc=True))
    if naive.any():
        local = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        parts.append(local.dt.tz_localize(settings.TIME_ZONE, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC"))
    parsed = pd.concat([part.dt.as_unit("us") for part in parts]).reindex(text.index)
    reasons.add((text != "") & parsed.isna(), "occurred_at", "bad_timestamp",
                lambda value: f"occurred_at '{value}' is not an ISO 8601 date and time")
    return parsed
