"""Recording an upload: the file stored and the batch saved together, the worker queued on commit."""

from __future__ import annotations

import csv
import hashlib
import io
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from transactions.models import BatchSource, IngestBatch

from .. import fileformat
from .queueing import batch_queue


def batch_create(*, file: File, file_name: str, source: str, channel_hint: str = "",
                 created_by: AbstractBaseUser | None = None, rows_total: int = 0) -> IngestBatch:
    """Store the file and record the batch together; the worker is queued once both are committed."""
    digest = hashlib.sha256()
    for block in file.chunks():
        digest.update(block)
    file.seek(0)
    batch = IngestBatch(source=source, channel_hint=channel_hint, file_name=file_name[:255],
                        file_sha256=digest.hexdigest(), created_by=created_by, rows_total=rows_total,
                        chunk_rows=settings.INGEST_CHUNK_ROWS)
    batch.file.save(file_name, file, save=False)
    try:
        with transaction.atomic():
            batch.save()
            transaction.on_commit(partial(batch_queue, batch_id=batch.pk))
    except BaseException:
        batch.file.delete(save=False)
        raise
    return batch


def batch_create_from_rows(*, rows: list[dict], channel_hint: str = "",
                           created_by: AbstractBaseUser | None = None) -> IngestBatch:
    """An API call's rows, written as a feed file (so the worker has one input) and recorded as a batch."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(fileformat.COLUMNS)
    for row in rows:
        writer.writerow([_as_text(row.get(name)) for name in fileformat.COLUMNS])
    name = f"api-{timezone.now():%Y%m%d-%H%M%S}.csv"
    return batch_create(file=ContentFile(text.getvalue().encode(), name=name), file_name=name,
                        source=BatchSource.API, channel_hint=channel_hint, created_by=created_by,
                        rows_total=len(rows))


def _as_text(value: object) -> str:
    if value is None:
        return ""
    return str(value)
