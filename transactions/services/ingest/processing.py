"""The worker's side: process a batch (load its file, or replay a corrected one) under its lock."""

from __future__ import annotations

import logging
import traceback
from contextlib import ExitStack, closing

from django.utils.translation import gettext as _

from crm_site.retry import TRANSIENT_DB_ERRORS
from transactions.exceptions import IngestFileError
from transactions.models import BatchStatusError, IngestBatch

from .. import fileformat, load
from .chunks import ChunkHook, chunk_commit, file_open
from .locking import batch_lock
from .pipeline import chunks_checked
from .progress import progress_record
from .replay import replay_run
from .states import batch_fail, batch_finish, batch_start

logger = logging.getLogger("transactions.services.ingest")


def batch_process(*, batch_id: int, after_chunk: ChunkHook | None = None) -> IngestBatch | None:
    """Load the batch's file (or its replay file) from where the last run stopped. Safe to run twice.

    Does nothing if the batch is gone, finished, or being processed by another worker. Transient
    database errors propagate (the task retries, and resumes); anything else fails the batch with
    its message. `after_chunk(batch, chunks_done)` runs after each chunk commits (tests use it to
    stop a worker half-way).
    """
    with batch_lock(batch_id) as locked:
        if not locked:
            logger.info("ingest batch %s is being processed by another worker", batch_id)
            return None
        batch = IngestBatch.objects.filter(pk=batch_id).first()
        if batch is None or not batch.is_active:
            return batch
        batch_start(batch)
        try:
            if batch.replay_file:
                replay_run(batch, after_chunk=after_chunk)
            else:
                _load_run(batch, after_chunk=after_chunk)
        except TRANSIENT_DB_ERRORS:
            raise
        except IngestFileError as exc:
            batch_fail(batch, exc.message)
        except BatchStatusError:
            logger.warning("ingest batch %s changed under this worker; leaving it", batch_id, exc_info=True)
        except Exception as exc:
            # the exception's text can quote a row (a database error's DETAIL names the values): it goes to the
            # batch, which only staff with the batch permission read; the log gets where it happened, not what
            logger.error("ingest batch %s failed: %s at %s", batch_id, type(exc).__name__, _where(exc))
            batch_fail(batch, _("Unexpected error, reported to the operators: %(error)s")
                       % {"error": f"{type(exc).__name__}: {exc}"}, logged=True)
        else:
            batch_finish(batch)
        return batch


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame of the exception: enough for an operator to find, nothing of the data."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


def _load_run(batch: IngestBatch, *, after_chunk: ChunkHook | None) -> None:
    with ExitStack() as stack:
        fh = stack.enter_context(file_open(batch.file))
        columns = fileformat.header_read(fh)
        fileformat.header_check(columns, channel_hint=batch.channel_hint)
        scanned = fileformat.scan(fh)
        if not batch.chunks_done:
            IngestBatch.objects.filter(pk=batch.pk).update(rows_total=scanned.rows_estimate)
            batch.rows_total = scanned.rows_estimate
        # Chunks committed by an earlier run are read again (to find where the next one starts) but not
        # loaded. The reader is closed before the file, even when a chunk fails half-way.
        chunks = stack.enter_context(closing(fileformat.chunks_read(
            fh, columns=columns, chunk_rows=batch.chunk_rows, skip_chunks=batch.chunks_done)))
        for chunk, checked, staged in chunks_checked(((chunk, chunk) for _number, chunk in chunks),
                                                     channel_hint=batch.channel_hint,
                                                     check_encoding=not scanned.clean_text):
            def write(chunk=chunk, checked=checked, staged=staged) -> None:
                loaded = load.chunk_load(staged, batch_id=batch.pk)
                load.rejected_rows_write(checked.rejected, batch_id=batch.pk)
                progress_record(batch, rows=len(chunk), inserted=loaded.inserted, duplicates=loaded.duplicates,
                                rejected=len(checked.rejected), customer_ids=loaded.customer_ids)

            chunk_commit(batch, write)
            if after_chunk:
                after_chunk(batch, batch.chunks_done)
