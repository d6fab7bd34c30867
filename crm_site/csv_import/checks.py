"""The checks on a chunk's cells, vectorised where the rule allows: each adds its reasons to the rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from crm_site.bounds import LATEST_DATE, date_range_message, earliest_date

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Chunk:
    """Some records of the file: cells as stripped strings, indexed by row number, and the reasons per row.

    Every column of the kind is in the frame; one the file lacks is all "" (so it is never `given`).
    The checks add reasons and return the cleaned column; a row with any reason is rejected.
    """

    def __init__(self, frame: pd.DataFrame, present: Iterable[str]):
        self.frame = frame
        self.present = frozenset(present)
        self.reasons: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self.frame)

    # --- bookkeeping -------------------------------------------------------------------------------------

    def given(self, column: str) -> pd.Series:
        return self.frame[column] != ""

    def reject(self, mask: pd.Series, reason: str | Callable[[Any], str], values: pd.Series | None = None) -> None:
        """Give every row in mask the reason; a callable reason is called with the row's value (of values)."""
        values = self.frame.index.to_series() if values is None else values
        for row, value in values[mask].items():
            self.reasons.setdefault(row, []).append(reason(value) if callable(reason) else reason)

    def reject_row(self, row: int, reason: str) -> None:
        self.reasons.setdefault(row, []).append(reason)

    @property
    def ok(self) -> pd.Series:
        return ~self.frame.index.isin(list(self.reasons))

    # --- checks (vectorised where the rule allows) -----------------------------------------------------------

    def require(self, *columns: str) -> None:
        for column in columns:
            self.reject(~self.given(column), _("%(column)s is required.") % {"column": column})

    def max_lengths(self, limits: Mapping[str, int]) -> None:
        for column, limit in limits.items():
            too_long = self.frame[column].str.len() > limit
            self.reject(too_long, _("%(column)s is longer than %(limit)d characters.")
                        % {"column": column, "limit": limit})

    def choice(self, column: str, codes: Iterable[str]) -> pd.Series:
        """The code, case-insensitively, in its canonical spelling; "" when empty or unknown (rejected)."""
        codes = list(codes)
        canonical = {code.lower(): code for code in codes}
        cells = self.frame[column]
        mapped = cells.str.lower().map(canonical)
        unknown = self.given(column) & mapped.isna()
        self.reject(unknown, lambda value: _("%(column)s: %(value)s is not one of %(codes)s.") % {
            "column": column, "value": repr(value), "codes": ", ".join(codes)}, cells)
        return mapped.fillna("").astype(object)

    def date(self, column: str) -> pd.Series:
        """YYYY-MM-DD as a date; None when empty or not a real date (rejected)."""
        cells = self.frame[column]
        shaped = cells.str.match(_DATE)
        parsed = pd.to_datetime(cells.where(shaped), format="%Y-%m-%d", errors="coerce")
        bad = self.given(column) & parsed.isna()
        self.reject(bad, lambda value: _("%(column)s: %(value)s is not a date written YYYY-MM-DD.") % {
            "column": column, "value": repr(value)}, cells)
        outside = parsed.notna() & ((parsed < pd.Timestamp(earliest_date())) | (parsed > pd.Timestamp(LATEST_DATE)))
        self.reject(outside, lambda value: f"{column}: {value!r}: {date_range_message()}", cells)
        parsed = parsed.mask(outside)
        return pd.Series([d.date() if not pd.isna(d) else None for d in parsed], index=cells.index, dtype=object)

    def decimal(self, column: str, *, max_digits: int = 18, places: int = 2) -> pd.Series:
        """A signed decimal with at most `places` decimals; None when empty or malformed (rejected)."""
        cells = self.frame[column]
        pattern = rf"^[+-]?\d{{1,{max_digits - places}}}(\.\d{{1,{places}}})?$"
        bad = self.given(column) & ~cells.str.match(pattern)
        self.reject(bad, lambda value: _("%(column)s: %(value)s is not an amount like -1234.56 (at most "
                                         "%(places)d decimals, no thousands separators).") % {
            "column": column, "value": repr(value), "places": places}, cells)
        good = self.given(column) & ~bad
        return pd.Series([Decimal(v) if ok else None for v, ok in zip(cells, good, strict=True)],
                         index=cells.index, dtype=object)

    def email(self, column: str) -> pd.Series:
        cells = self.frame[column]
        for row, value in cells[self.given(column)].items():
            try:
                validate_email(value)
            except ValidationError:
                # the value stays out of the reason: reports mask email addresses (DESIGN §8)
                self.reject_row(row, _("%(column)s: this is not an email address.") % {"column": column})
        return cells.astype(object)

    def lookup(self, column: str, known: Mapping[str, Any], reason: str) -> pd.Series:
        """The id each code stands for (None when empty); a given code not in known is rejected with reason."""
        cells = self.frame[column]
        ids = pd.Series([known.get(value) for value in cells], index=cells.index, dtype=object)
        self.reject(self.given(column) & ids.isna(), lambda value: reason % {"value": repr(value)}, cells)
        return ids

    def codes(self, column: str) -> list[str]:
        """The distinct non-empty values of a column: what one look-up query per chunk asks for."""
        return sorted(set(self.frame[column]) - {""})
