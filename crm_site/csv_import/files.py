"""The file: two passes over a CSV file, the first to refuse it as a whole, the second in chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pandas as pd
from django.utils.translation import gettext as _

from crm_site.exceptions import DomainError

from .checks import Chunk

# Columns a rejects file adds (see report.write_rejects): a corrected rejects file loads as it is.
REPORT_COLUMNS = ("row", "reasons")
_BLOCK = 1 << 20


class ImportFileError(DomainError):
    """The file as a whole cannot be loaded (not UTF-8 text, no header, a required column missing)."""


class TooManyRows(ImportFileError):
    status_code = 413


@dataclass(frozen=True)
class CsvSpec:
    """The columns of one kind of file: the natural key, the required and the optional columns."""

    kind: str
    key: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # how a column's value is shown in reports (DESIGN §8: ID number, mobile and email masked everywhere)
    masks: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    # a natural key of several columns (a row repeated in the file is one whose cells all match); `key` is
    # then the column shown first in reports
    key_columns: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass
class Reject:
    row: int
    values: dict[str, str]
    reasons: list[str]


class CsvFile:
    """A CSV file (a path, or a binary file such as an upload), read in two passes: check, then chunks."""

    def __init__(self, file: str | Path | IO[bytes], spec: CsvSpec):
        self.file = file
        self.spec = spec
        self.header: list[str] = []
        self.records = 0

    def _open_binary(self) -> IO[bytes]:
        if isinstance(self.file, str | Path):
            try:
                return open(self.file, "rb")
            except OSError as exc:
                raise ImportFileError(_("The file cannot be opened: %(error)s") % {"error": exc.strerror}) from exc
        binary = getattr(self.file, "file", self.file)  # a Django UploadedFile wraps the real file
        binary.seek(0)
        return binary

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, fields) of every record, the header included; blank lines are not records."""
        binary = self._open_binary()
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        try:
            reader = csv.reader(text, strict=True)
            line = 0
            for fields in reader:
                start, line = line + 1, reader.line_num
                if fields:
                    yield start, fields
        finally:
            text.detach()
            if isinstance(self.file, str | Path):
                binary.close()

    def check(self, *, max_rows: int | None = None) -> None:
        """The first pass: refuse the whole file (ImportFileError) before anything is written."""
        self._refuse_binary()
        row = 0
        try:
            for record_row, fields in self._records():
                row = record_row
                if not self.header:
                    self._read_header(fields)
                    continue
                self.records += 1
                if max_rows is not None and self.records > max_rows:
                    raise TooManyRows(_("The file has more than %(max)d rows; load it with the import_records "
                                        "command instead.") % {"max": max_rows})
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file is not UTF-8 text (after row %(row)d). Save it as “CSV UTF-8”.")
                                  % {"row": row}) from exc
        except csv.Error as exc:
            raise ImportFileError(_("The file is not a valid CSV file (after row %(row)d): %(error)s")
                                  % {"row": row, "error": exc}) from exc
        if not self.header:
            raise ImportFileError(_("The file is empty: it needs a header row naming the columns."))

    def _refuse_binary(self) -> None:
        binary = self._open_binary()
        try:
            while block := binary.read(_BLOCK):
                if b"\x00" in block:
                    raise ImportFileError(_("This is not a CSV text file: it contains binary data."))
        finally:
            if isinstance(self.file, str | Path):
                binary.close()

    def _read_header(self, fields: list[str]) -> None:
        header = [name.strip().lower() for name in fields]
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        if repeated:
            raise ImportFileError(_("The header names these columns more than once: %(columns)s.")
                                  % {"columns": ", ".join(repeated)})
        missing = [name for name in self.spec.required if name not in header]
        if missing:
            raise ImportFileError(_("The header lacks the required column(s) %(missing)s. A %(kind)s file needs "
                                    "%(required)s and may have %(optional)s.") % {
                "missing": ", ".join(missing), "kind": self.spec.kind, "required": ", ".join(self.spec.required),
                "optional": ", ".join(self.spec.optional) or "-"})
        self.header = header

    @property
    def known_columns(self) -> list[str]:
        return [name for name in self.header if name in self.spec.columns]

    @property
    def ignored_columns(self) -> list[str]:
        return [name for name in self.header if name not in self.spec.columns and name not in REPORT_COLUMNS]

    def chunks(self, size: int) -> Iterator[tuple[Chunk, list[Reject]]]:
        """The second pass: chunks of well-formed records, and the malformed ones (wrong number of fields)."""
        width = len(self.header)
        rows: list[int] = []
        cells: list[list[str]] = []
        malformed: list[Reject] = []
        records = self._records()
        next(records)  # the header
        for row, fields in records:
            if len(fields) != width:
                malformed.append(Reject(row=row, values=dict(zip(self.header, fields, strict=False)), reasons=[
                    _("The row has %(fields)d fields; the header has %(columns)d.")
                    % {"fields": len(fields), "columns": width}]))
            else:
                rows.append(row)
                cells.append(fields)
            if len(rows) + len(malformed) >= size:
                yield self._chunk(rows, cells), malformed
                rows, cells, malformed = [], [], []
        if rows or malformed:
            yield self._chunk(rows, cells), malformed

    def _chunk(self, rows: list[int], cells: list[list[str]]) -> Chunk:
        frame = pd.DataFrame(cells, columns=self.header, index=pd.Index(rows, name="row"), dtype=str)
        frame = frame.reindex(columns=list(self.spec.columns), fill_value="")
        for column in self.known_columns:
            frame[column] = frame[column].str.strip()
        return Chunk(frame, self.known_columns)
