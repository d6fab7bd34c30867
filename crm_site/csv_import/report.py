"""What a load reports: the counts, the rejected rows with their reasons (masked on screen), a rejects file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from crm_site import pii
from crm_site.csv_export import csv_writer

from .files import CsvSpec, Reject


@dataclass
class ImportResult:
    kind: str
    columns: list[str] = field(default_factory=list)  # the file's columns this kind reads, in file order
    ignored_columns: list[str] = field(default_factory=list)
    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def balanced(self) -> bool:
        return self.received == self.inserted + self.updated + self.unchanged + self.rejected

    @property
    def rows_per_second(self) -> float:
        return self.received / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return _("%(kind)s: received %(received)d = inserted %(inserted)d + updated %(updated)d + unchanged "
                 "%(unchanged)d + rejected %(rejected)d") % {
            "kind": self.kind, "received": self.received, "inserted": self.inserted, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected}


def masked_values(reject: Reject, spec: CsvSpec) -> dict[str, str]:
    """A rejected row's values as staff may see them on screen: personal identifiers masked."""
    shown = {}
    for column, value in reject.values.items():
        mask = spec.masks.get(column)
        shown[column] = (mask(value) or "***") if mask and value else value
    return shown


def format_report(result: ImportResult, spec: CsvSpec, *, limit: int = 50) -> str:
    """The summary and the first `limit` rejected rows with their reasons, masked, for a terminal."""
    lines = [result.summary() + _(" in %(seconds).1f s (%(rate)d rows/s)")
             % {"seconds": result.seconds, "rate": result.rows_per_second}]
    if result.ignored_columns:
        lines.append(_("Columns ignored (not part of a %(kind)s file): %(columns)s")
                     % {"kind": spec.kind, "columns": ", ".join(result.ignored_columns)})
    if result.rejects:
        lines.append(_("Rejected rows (%(shown)d of %(total)d):")
                     % {"shown": min(limit, len(result.rejects)), "total": len(result.rejects)})
        for reject in result.rejects[:limit]:
            key = reject.values.get(spec.key, "")
            lines.append(f"  row {reject.row}" + (f" ({spec.key} {key})" if key else "") + ": "
                         + "; ".join(reject.reasons))
    return "\n".join(lines)


def write_rejects(result: ImportResult, target: IO[str]) -> None:
    """Every rejected row as CSV: its row number, the values as read (so it can be corrected and loaded
    again: the importer ignores the row and reasons columns) and the reasons."""
    writer = csv_writer(target)
    writer.writerow(["row", *result.columns, "reasons"])
    for reject in result.rejects:
        writer.writerow([reject.row, *(reject.values.get(c, "") for c in result.columns), "; ".join(reject.reasons)])


def mask_id_number(value: str) -> str:
    return pii.mask_id_number(value[-4:])


MASKS = {"id_number": mask_id_number, "mobile": pii.mask_mobile, "email": pii.mask_email}
