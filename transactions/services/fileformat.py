"""The transactions feed file of DESIGN §5: its columns, the header check, and reading it in chunks.

UTF-8 (a BOM is tolerated), comma separated, a header row, one record per line (CRLF or LF;
fields with commas or quotes in double quotes). Column names are matched without regard to
case or surrounding spaces. Every value is read as text, as written (spaces right after a comma
are skipped); the validation decides what it means.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pandas as pd
from django.utils.translation import gettext as _

from transactions.exceptions import IngestFileError

COLUMNS = ("external_id", "channel", "account_no", "occurred_at", "amount", "direction", "currency",
           "balance_after", "mcc", "merchant_name", "terminal_id", "description")
REQUIRED = ("external_id", "channel", "account_no", "occurred_at", "amount", "direction")
# The download of a batch's rejected rows adds these; a corrected copy of it is a replay file.
ROW_NUMBER = "row_number"
REASONS = "reasons"
REPLAY_EXTRA_COLUMNS = (ROW_NUMBER, REASONS)
# The first field past the header's last one: a row with more fields than the header is rejected.
EXTRA = "__extra__"
# The text of a line that is not valid CSV (rejected as bad_csv; the other lines load).
MALFORMED = "__malformed__"

SNIFF_BYTES = 64 * 1024
SCAN_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class FileScan:
    """What one fast pass over the bytes says, before pandas reads the rows."""

    rows_estimate: int       # lines after the header (exact unless a quoted field holds a line break)
    clean_text: bool         # valid UTF-8 without NUL bytes: the per-row encoding check can be skipped


def sniff(fh: BinaryIO) -> None:
    """Refuse what is plainly not a CSV text file (an image, a spreadsheet, another encoding)."""
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    if not head.strip().lstrip(codecs.BOM_UTF8).strip():
        raise IngestFileError(_("The file is empty: it needs a header row and one row per transaction."))
    if b"\x00" in head:
        raise IngestFileError(_("This is a binary file, not a CSV text file. Export the transactions as CSV "
                                "(UTF-8, comma separated) and upload that."))
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError as exc:
        raise IngestFileError(_("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.")) from exc


def header_read(fh: BinaryIO) -> list[str]:
    """The column names of the first row, stripped and lower-cased; the file is rewound."""
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    end = head.find(b"\n")
    if end < 0 and len(head) == SNIFF_BYTES:
        raise IngestFileError(_("The first line is longer than %(size)d KB: this is not a header row.")
                              % {"size": SNIFF_BYTES // 1024})
    try:
        line = head[:end if end >= 0 else None].decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise IngestFileError(_("The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again.")) from exc
    try:
        header = next(csv.reader([line]), None)
    except csv.Error as exc:
        raise IngestFileError(_("The header row is not valid CSV: %(error)s") % {"error": exc}) from exc
    if header is None or not any(name.strip() for name in header):
        raise IngestFileError(_("The file is empty: it needs a header row and one row per transaction."))
    return [name.strip().lower() for name in header]


def header_check(columns: list[str], *, channel_hint: str = "", replay: bool = False) -> None:
    """Every required column present, no unknown or repeated one; else the whole file is refused."""
    allowed = set(COLUMNS) | (set(REPLAY_EXTRA_COLUMNS) if replay else set())
    required = [name for name in REQUIRED if not (name == "channel" and channel_hint)]
    if replay:
        required.insert(0, ROW_NUMBER)
    problems = []
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(repeated)})
    missing = [name for name in required if name not in columns]
    if missing:
        problems.append(_("missing required columns: %(names)s") % {"names": ", ".join(missing)})
    unknown = [name or _("(empty name)") for name in columns if name not in allowed]
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if problems:
        raise IngestFileError(
            _("The header row is wrong (%(problems)s). The columns are: %(columns)s; required: %(required)s.")
            % {"problems": "; ".join(problems), "columns": ", ".join(sorted(allowed, key=_column_order)),
               "required": ", ".join(required)})


def _column_order(name: str) -> int:
    order = (ROW_NUMBER, *COLUMNS, REASONS)
    return order.index(name)


def scan(fh: BinaryIO) -> FileScan:
    """Count the lines and check the encoding in one pass over the bytes (C speed, constant memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, clean, last = 0, True, b"\n"
    while block := fh.read(SCAN_BLOCK):
        lines += block.count(b"\n")
        last = block[-1:]
        if clean:
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                clean = False
            clean = clean and b"\x00" not in block
    if clean:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            clean = False
    fh.seek(0)
    if last != b"\n":
        lines += 1  # the last line has no line break
    return FileScan(rows_estimate=max(lines - 1, 0), clean_text=clean)


def chunks_read(fh: BinaryIO, *, columns: list[str], chunk_rows: int,
                skip_chunks: int = 0) -> Iterator[tuple[int, pd.DataFrame]]:
    """(chunk number, rows) for the data rows, `chunk_rows` at a time, from chunk `skip_chunks` on.

    Every value is a string ("" when empty or absent). The index is the row number (1 = the first
    row after the header). A row with fewer fields than the header reads the missing ones as empty;
    one with more has them (comma-joined) in EXTRA, which the validation rejects. Bytes that are not
    UTF-8 become U+FFFD, which the validation rejects too, so one bad row never stops the file.

    pandas' C parser is used while the rows have at most one field too many; it stops at a row with
    more, and the Python parser (five times slower, but it hands such rows to us instead of dropping
    them) reads the file again from the start, skipping the chunks already given. A line neither can
    parse (a quote never closed swallows the rest of the file) sends the rest to `_lines_read`, one
    line per record as the contract says, which gives that line in MALFORMED (rejected as bad_csv)
    and reads on. The three count rows alike, so the chunks are the same whichever parser reads them,
    which resuming relies on.
    """
    given = 0
    try:
        for number, chunk in enumerate(_reader(fh, columns=columns, chunk_rows=chunk_rows, engine="c")):
            if number >= skip_chunks:
                yield number, chunk
            given = number + 1
        return
    except pd.errors.ParserError as exc:
        python_can_read = "Expected" in str(exc)
    if python_can_read:
        fh.seek(0)
        try:
            for number, chunk in enumerate(_reader(fh, columns=columns, chunk_rows=chunk_rows, engine="python")):
                if number >= max(given, skip_chunks):
                    yield number, chunk
                given = max(given, number + 1)
            return
        except (pd.errors.ParserError, csv.Error):
            pass
    fh.seek(0)
    for number, chunk in enumerate(_lines_read(fh, columns=columns, chunk_rows=chunk_rows)):
        if number >= max(given, skip_chunks):
            yield number, chunk


def _lines_read(fh: BinaryIO, *, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The rows as `_reader` gives them, each line parsed on its own; a line that is not valid CSV has its
    text in MALFORMED (and its fields as far as they could be read)."""
    width = len(columns)
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
    try:
        next(text, None)  # the header
        records: list[list[str]] = []
        number = 0
        for line in text:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue  # as pandas' skip_blank_lines: not a row, not counted
            number += 1
            try:
                fields, malformed = next(csv.reader([line], skipinitialspace=True, strict=True)), ""
            except csv.Error:
                fields, malformed = next(csv.reader([line], skipinitialspace=True)), line
            fields = [*fields[:width], *([""] * (width - len(fields))), ",".join(fields[width:]), malformed]
            records.append(fields)
            if len(records) == chunk_rows:
                yield _frame(records, columns=columns, first=number - len(records) + 1)
                records = []
        if records:
            yield _frame(records, columns=columns, first=number - len(records) + 1)
    finally:
        text.detach()  # leave the caller's file open


def _frame(records: list[list[str]], *, columns: list[str], first: int) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=[*columns, EXTRA, MALFORMED], dtype=str)
    frame.index = pd.RangeIndex(first, first + len(records))
    return frame


def _reader(fh: BinaryIO, *, columns: list[str], chunk_rows: int, engine: str) -> Iterator[pd.DataFrame]:
    width = len(columns)
    options = {"on_bad_lines": "error"} if engine == "c" else {
        "on_bad_lines": lambda fields: [*fields[:width], ",".join(fields[width:])]}
    reader = pd.read_csv(
        fh, header=None, skiprows=1, names=[*columns, EXTRA], dtype=str, keep_default_na=False, na_filter=False,
        encoding="utf-8-sig", encoding_errors="replace", chunksize=chunk_rows, index_col=False, engine=engine,
        skipinitialspace=True, skip_blank_lines=True, **options)
    with reader:
        for chunk in reader:
            chunk.index = chunk.index + 1
            yield chunk.fillna("")  # the Python parser leaves absent fields NaN
