"""A batch's counts: one chunk's added in its transaction, and waiting for a batch to finish."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, F, Func, Value
from django.db.models.functions import Cast
from django.utils import timezone

from transactions.models import BatchStatus, BatchStatusError, IngestBatch


def progress_record(batch: IngestBatch, *, rows: int, inserted: int, duplicates: int, rejected: int,
                    customer_ids: list[int], received: int | None = None, **replay_counts: int) -> None:
    """Count one chunk, in its transaction; refuses if another run has moved the batch on meanwhile."""
    received = rows if received is None else received
    changes = {
        "rows_done": F("rows_done") + rows,
        "chunks_done": F("chunks_done") + 1,
        "received": F("received") + received,
        "inserted": F("inserted") + inserted,
        "duplicates": F("duplicates") + duplicates,
        "rejected": F("rejected") + rejected,
        "updated_at": timezone.now(),
        **{name: F(name) + value for name, value in replay_counts.items()},
    }
    if customer_ids:
        changes["touched_customer_ids"] = _ArrayUnion(
            F("touched_customer_ids"), Cast(Value(customer_ids), output_field=ArrayField(BigIntegerField())))
    updated = IngestBatch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING,
                                         chunks_done=batch.chunks_done).update(**changes)
    if not updated:
        raise BatchStatusError(f"batch {batch.pk} moved past chunk {batch.chunks_done} under this worker")
    # not touched_customer_ids: up to every customer of the bank, read back once, when the batch finishes
    batch.refresh_from_db(fields=["rows_done", "chunks_done", "received", "inserted", "duplicates", "rejected",
                                  "updated_at", *replay_counts])


class _ArrayUnion(Func):
    """The sorted distinct union of two bigint arrays."""

    template = "ARRAY(SELECT DISTINCT id FROM unnest(%(expressions)s) AS id ORDER BY 1)"
    arg_joiner = " || "
    output_field = ArrayField(BigIntegerField())


def batch_wait(*, batch_id: int, timeout: float | None = None, poll: float = 1.0,
               report: Callable[[IngestBatch], None] | None = None) -> IngestBatch:
    """Poll until the batch is no longer queued or running (or the timeout passes)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        batch = IngestBatch.objects.get(pk=batch_id)
        if report:
            report(batch)
        if not batch.is_active or (deadline is not None and time.monotonic() > deadline):
            return batch
        time.sleep(poll)
