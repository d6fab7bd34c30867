"""Loading master-data CSV files (DESIGN §5): the part every kind shares.

A load goes in two passes over the file. The first reads it all and refuses it as a whole (ImportFileError,
nothing written) when it is not UTF-8 text, holds binary data, has no header or lacks a required column.
The second hands the records to the kind's `load_chunk` a few thousand at a time, as a pandas frame of
stripped strings indexed by row number; each chunk is validated and written in one transaction.

Records are tokenised with the csv module and then framed with pandas, rather than by pandas.read_csv: the C
parser cannot hand back a record with too many fields (it raises, or drops it with a warning), and it cannot
tell on which line a record starts. Here a malformed record is rejected with its reason like any other bad
row, and every reject carries the line its record starts on (the header is row 1, as in a spreadsheet).

Every load ends in `received = inserted + updated + unchanged + rejected`.

The package by topic: files (reading, refusing a file), checks (the cell checks of a chunk), writing
(stored rows, COPY + INSERT … ON CONFLICT) and report (counts, rejects). Each kind's importer lives with its
app (branches.imports, customers.imports, accounts.imports) and calls csv_import() below.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from .checks import Chunk
from .files import REPORT_COLUMNS, CsvFile, CsvSpec, ImportFileError, Reject, TooManyRows
from .report import MASKS, ImportResult, format_report, masked_values, write_rejects
from .writing import ChunkCounts, changed_cells, copy_upsert, max_lengths, stored_rows, upsert_rows

__all__ = [
    "DEFAULT_CHUNK_SIZE", "MASKS", "REPORT_COLUMNS", "Chunk", "ChunkCounts", "CsvFile", "CsvSpec", "ImportFileError",
    "ImportResult", "Reject", "TooManyRows", "changed_cells", "copy_upsert", "csv_import", "format_report",
    "masked_values", "max_lengths", "stored_rows", "upsert_rows", "write_rejects",
]

DEFAULT_CHUNK_SIZE = 5000


def csv_import(*, file: str | Path | IO[bytes], spec: CsvSpec, load_chunk: Callable[[Chunk], ChunkCounts],
               chunk_size: int = DEFAULT_CHUNK_SIZE, max_rows: int | None = None) -> ImportResult:
    """Check the file, then validate and write it chunk by chunk, each chunk in its own transaction.

    load_chunk adds its reasons to the chunk, writes the rows that have none and counts them. A key seen
    earlier in the same file is rejected here: a file holds each record once.
    """
    started = time.monotonic()
    source = CsvFile(file, spec)
    source.check(max_rows=max_rows)
    result = ImportResult(kind=spec.kind, columns=source.known_columns, ignored_columns=source.ignored_columns)
    first_seen: dict[tuple[str, ...], int] = {}
    for chunk, malformed in source.chunks(chunk_size):
        result.received += len(chunk) + len(malformed)
        _reject_repeated_keys(chunk, spec.key_columns or (spec.key,), first_seen)
        if len(chunk):
            with transaction.atomic():
                counts = load_chunk(chunk)
                written = counts.inserted + counts.updated + counts.unchanged
                if written != int(chunk.ok.sum()):  # a bug in load_chunk: undo the chunk rather than miscount
                    raise AssertionError(f"{spec.kind}: {written} rows counted, {int(chunk.ok.sum())} valid")
            result.inserted += counts.inserted
            result.updated += counts.updated
            result.unchanged += counts.unchanged
        rows = list(chunk.reasons)
        values = chunk.frame.loc[rows, source.known_columns].to_dict("records") if rows else []
        rejects = malformed + [Reject(row=row, values=cells, reasons=chunk.reasons[row])
                               for row, cells in zip(rows, values, strict=True)]
        result.rejects.extend(sorted(rejects, key=lambda reject: reject.row))
        result.rejected += len(rejects)
    if result.received != source.records:
        raise ImportFileError(_("The file changed while it was being loaded: %(checked)d rows when it was checked, "
                                "%(read)d when it was read (%(summary)s). Load it again once it is complete; "
                                "records are matched by their key, so nothing is loaded twice.") % {
            "checked": source.records, "read": result.received, "summary": result.summary()})
    result.seconds = time.monotonic() - started
    return result


def _reject_repeated_keys(chunk: Chunk, columns: tuple[str, ...], first_seen: dict[tuple[str, ...], int]) -> None:
    label = " + ".join(columns)
    for row, values in zip(chunk.frame.index, chunk.frame[list(columns)].itertuples(index=False, name=None),
                           strict=True):
        if not all(values):
            continue
        earlier = first_seen.setdefault(values, row)
        if earlier != row:
            chunk.reject_row(row, _("%(key)s %(value)s is already in this file at row %(row)d; a file holds each "
                                    "record once.") % {"key": label, "value": " / ".join(values), "row": earlier})
