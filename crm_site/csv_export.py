"""The one CSV writer of every export: call lists, rejected rows, the access record, import rejects.

Exports are opened in spreadsheets, which run a cell starting with "=", "+", "-", "@", "|" or "%" as a
formula (CSV injection: `=HYPERLINK(...)` in a merchant name or a reveal reason). defusedcsv's writer
prefixes such a cell with "'" so the spreadsheet shows it as text; numbers, negative ones included, are
left alone. Every export writes through `csv_writer` or `csv_lines`, never through the csv module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from defusedcsv import csv as defused_csv

# a byte-order mark first: Excel then reads UTF-8 (Chinese names) correctly
BOM = "\ufeff"


def csv_writer(target: IO[str], **fmtparams: Any):
    """A csv.writer over `target` that escapes formula-looking cells."""
    return defused_csv.writer(target, **fmtparams)


class _Echo:
    """A file whose write() returns the line: csv_lines hands each line on as it is made."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """The header and rows as CSV lines, one at a time (for StreamingHttpResponse or a string)."""
    writer = csv_writer(_Echo())
    yield (BOM if bom else "") + writer.writerow(list(header))
    for row in rows:
        yield writer.writerow(list(row))
