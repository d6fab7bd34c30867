"""Building feed files and batches for the ingest tests."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.files.base import ContentFile
from django.utils import timezone

from transactions.models import BatchSource, IngestBatch
from transactions.services import batch_create, batch_process
from transactions.services.fileformat import COLUMNS

ACCOUNT_NO = "6222020000000000001"
OTHER_ACCOUNT_NO = "6222020000000000002"


def row(**values) -> dict:
    """A valid transaction row for ACCOUNT_NO; override any column."""
    base = {"external_id": "T1", "channel": "POS", "account_no": ACCOUNT_NO, "occurred_at": "2025-03-01T14:30:00+08:00",
            "amount": "12.50", "direction": "DEBIT", "currency": "", "balance_after": "", "mcc": "5411",
            "merchant_name": "华联超市", "terminal_id": "T001", "description": ""}
    base.update(values)
    return base


def feed_text(rows: list[dict], *, columns: tuple[str, ...] | list[str] = COLUMNS, line_end: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(name, "") for name in columns])
    return out.getvalue()


def batch_from(content: str | bytes, *, name: str = "feed.csv", channel_hint: str = "", created_by=None) -> IngestBatch:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return batch_create(file=ContentFile(data, name=name), file_name=name, source=BatchSource.FILE,
                        channel_hint=channel_hint, created_by=created_by)


def ingest(content: str | bytes, **kwargs) -> IngestBatch:
    """Record a batch and run the worker's service on it, as a Celery worker would."""
    batch = batch_from(content, **kwargs)
    batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def counts(batch: IngestBatch) -> tuple[int, int, int, int]:
    batch.refresh_from_db()
    return batch.received, batch.inserted, batch.duplicates, batch.rejected


def reasons_of(batch: IngestBatch) -> dict[int, list[str]]:
    """row number -> the codes of its reasons."""
    return {rejected.row_number: [reason["code"] for reason in rejected.reasons]
            for rejected in batch.rejected_rows.order_by("row_number")}


def aware(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(timezone.get_current_timezone())
