"""Replay: a corrected file of a batch's rejected rows, loaded against the same batch.

Requested here (`batch_replay_request`) and run by the same worker as a first load: `processing.batch_process`
calls `replay_run` when the batch has a replay file, with the same lock, chunks and counts.

The file is the rejected-rows download (row_number, the feed columns, reasons) with the values
fixed. Each row names its rejected row by row_number; a row that now loads moves from `rejected`
to `inserted` or `duplicates` (the rejected row is kept, marked `replayed_at`), one that still
fails gets its new values and reasons. `received` does not change, so the invariant holds.
Rows that name no open rejected row of the batch are counted as ignored.
"""

from __future__ import annotations

from contextlib import ExitStack, closing

import pandas as pd
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

from transactions.exceptions import BatchNotReplayable
from transactions.models import BatchStatus, IngestBatch, RejectedRow

from .. import fileformat, load
from .chunks import ChunkHook, chunk_commit, file_open
from .pipeline import chunks_checked
from .progress import progress_record
from .queueing import batch_queue


def batch_replay_request(*, batch: IngestBatch, file: File, file_name: str,
                         requested_by: AbstractBaseUser | None = None) -> IngestBatch:
    """Check the corrected file's header, store it, and queue the batch to load it."""
    _replayable_check(batch)
    fileformat.sniff(file)
    fileformat.header_check(fileformat.header_read(file), channel_hint=batch.channel_hint, replay=True)
    rows_estimate = fileformat.scan(file).rows_estimate
    stored = IngestBatch(pk=batch.pk)
    stored.replay_file.save(file_name, file, save=False)
    try:
        with transaction.atomic():
            batch = IngestBatch.objects.select_for_update().get(pk=batch.pk)
            _replayable_check(batch)
            batch.transition_to(
                BatchStatus.QUEUED, replay_file=stored.replay_file.name, replay_rows=0, replay_fixed=0,
                replay_ignored=0, replay_requested_by=requested_by, replay_finished_at=None, rows_done=0,
                chunks_done=0, rows_total=rows_estimate, chunk_rows=settings.INGEST_CHUNK_ROWS, error="",
                score_refresh_sent_at=None)
            transaction.on_commit(lambda: batch_queue(batch_id=batch.pk))
    except BaseException:
        stored.replay_file.delete(save=False)
        raise
    return batch


def _replayable_check(batch: IngestBatch) -> None:
    if batch.can_replay:
        return
    if batch.is_active:
        raise BatchNotReplayable(_("This batch is still loading; replay its rejected rows once it is done."))
    if batch.status == BatchStatus.FAILED:
        raise BatchNotReplayable(_("This batch failed before its rows were all loaded; upload the file again as a "
                                   "new batch (rows already loaded will count as duplicates)."))
    raise BatchNotReplayable(_("This batch has no rejected rows to replay."))


def replay_run(batch: IngestBatch, *, after_chunk: ChunkHook | None) -> None:
    with ExitStack() as stack:
        fh = stack.enter_context(file_open(batch.replay_file))
        columns = fileformat.header_read(fh)
        fileformat.header_check(columns, channel_hint=batch.channel_hint, replay=True)
        scanned = fileformat.scan(fh)
        # closed before the file is, even when a chunk fails half-way
        chunks = stack.enter_context(closing(fileformat.chunks_read(
            fh, columns=columns, chunk_rows=batch.chunk_rows, skip_chunks=batch.chunks_done)))
        matched = ((chunk, _rows_matched(batch, chunk)) for _number, chunk in chunks)
        for chunk, checked, staged in chunks_checked(matched, channel_hint=batch.channel_hint,
                                                     check_encoding=not scanned.clean_text):
            def write(chunk=chunk, checked=checked, staged=staged) -> None:
                fixed = [int(number) for number in checked.valid.index]
                loaded = load.chunk_load(staged, batch_id=batch.pk)
                if fixed:
                    RejectedRow.objects.filter(batch=batch, row_number__in=fixed, replayed_at__isnull=True).update(
                        replayed_at=timezone.now())
                _rejected_rows_revise(checked.rejected, batch_id=batch.pk)
                progress_record(batch, rows=len(chunk), received=0, inserted=loaded.inserted,
                                duplicates=loaded.duplicates, rejected=-len(fixed), customer_ids=loaded.customer_ids,
                                replay_rows=len(chunk), replay_fixed=len(fixed),
                                replay_ignored=len(chunk) - len(fixed) - len(checked.rejected))

            chunk_commit(batch, write)
            if after_chunk:
                after_chunk(batch, batch.chunks_done)


def _rows_matched(batch: IngestBatch, chunk: pd.DataFrame) -> pd.DataFrame:
    """The chunk's rows that name an open rejected row (first mention only), indexed by that row number."""
    numbers = pd.to_numeric(chunk[fileformat.ROW_NUMBER].str.strip(), errors="coerce")
    wanted = sorted({int(n) for n in numbers.dropna() if n == int(n) and 0 < n < 2**31})
    open_rows = set(RejectedRow.objects.filter(batch=batch, replayed_at__isnull=True, row_number__in=wanted)
                    .values_list("row_number", flat=True))
    matched = numbers.isin(open_rows) & ~numbers.duplicated()
    rows = chunk.loc[matched].drop(columns=[name for name in fileformat.REPLAY_EXTRA_COLUMNS if name in chunk])
    rows.index = numbers[matched].astype(int).to_numpy()
    return rows


def _rejected_rows_revise(rejected: list[tuple[int, dict, list[dict]]], *, batch_id: int) -> None:
    """Rows that still fail keep their place, with the corrected values and the new reasons."""
    if not rejected:
        return
    values = [(batch_id, row_number, load.json_text(raw), load.json_text(reasons))
              for row_number, raw, reasons in rejected]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            "UPDATE transactions_rejectedrow AS r SET raw = v.raw::jsonb, reasons = v.reasons::jsonb "
            "FROM (VALUES %s) AS v (batch_id, row_number, raw, reasons) "
            "WHERE r.batch_id = v.batch_id AND r.row_number = v.row_number", values, page_size=1000)
