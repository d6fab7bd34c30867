"""Ingest batches: record an upload, queue it, and process it chunk by chunk (DESIGN §5, §9).

Every entry point (upload page, API, command) calls `batch_create`, which stores the file and
records the IngestBatch in one transaction and queues the worker on commit. The worker
(`batch_process`) holds an advisory lock on the batch, reads the file with pandas in chunks, and
commits each chunk's rows, rejected rows, balance updates and counts together — so a worker that
dies resumes after the last committed chunk and nothing is counted twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from functools import partial

import kombu.exceptions
import pandas as pd
import psycopg2.errors
import redis.exceptions
from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.fields import ArrayField
from django.core.files.base import ContentFile, File
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import BigIntegerField, F, Func, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from transactions.exceptions import IngestFileError
from transactions.models import BatchSource, BatchStatus, BatchStatusError, IngestBatch

from . import fileformat, load, validation

logger = logging.getLogger(__name__)

# Redis down or unreachable: the batch is recorded all the same, and the sweeper queues it later.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)
# Errors worth another try: the database went away, a deadlock or serialization failure.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
CHUNK_ATTEMPTS = 3
LOCK_CLASS = 7301  # first key of the advisory locks on ingest batches: (LOCK_CLASS, batch id)

ChunkHook = Callable[[IngestBatch, int], None]


# --- recording and queuing ---------------------------------------------------------------------


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


def batch_queue(*, batch_id: int) -> bool:
    """Nudge a worker. A broker error is logged, not raised: the batch is recorded and the sweeper retries."""
    from transactions import tasks

    try:
        tasks.ingest_batch.apply_async(args=[batch_id])
    except BROKER_ERRORS:
        logger.warning("ingest batch %s is recorded but could not be queued (broker unreachable); the sweeper "
                       "will queue it", batch_id, exc_info=True)
        return False
    return True


def scores_refresh_request(*, batch_id: int) -> bool:
    """Ask the scoring floor, by task name, to refresh the customers a finished batch touched."""
    batch = IngestBatch.objects.filter(pk=batch_id).only("touched_customer_ids").first()
    if batch is None or not batch.touched_customer_ids:
        return False
    try:
        current_app.send_task("scoring.refresh_customers",
                              kwargs={"customer_ids": batch.touched_customer_ids, "batch_id": batch_id})
    except BROKER_ERRORS:
        logger.warning("score refresh for ingest batch %s could not be queued; the sweeper will retry", batch_id,
                       exc_info=True)
        return False
    IngestBatch.objects.filter(pk=batch_id).update(score_refresh_sent_at=timezone.now())
    return True


# --- processing --------------------------------------------------------------------------------


@contextmanager
def batch_lock(batch_id: int) -> Iterator[bool]:
    """A session advisory lock on the batch: True if this connection holds it, False if another does.

    Session-level, because the chunks commit one by one; a worker that dies loses its connection and
    with it the lock.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, batch_id])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, batch_id])
            except TRANSIENT_DB_ERRORS:
                connection.close()  # a dead connection has released the lock already; make sure of it


def batch_is_locked(batch_id: int) -> bool:
    """Whether some worker is processing the batch right now."""
    with batch_lock(batch_id) as locked:
        return not locked


def batch_process(*, batch_id: int, after_chunk: ChunkHook | None = None) -> IngestBatch | None:
    """Load the batch's file (or its replay file) from where the last run stopped. Safe to run twice.

    Does nothing if the batch is gone, finished, or being processed by another worker. Transient
    database errors propagate (the task retries, and resumes); anything else fails the batch with
    its message. `after_chunk(batch, chunks_done)` runs after each chunk commits (tests use it to
    stop a worker half-way).
    """
    from .replay import replay_run

    with batch_lock(batch_id) as locked:
        if not locked:
            logger.info("ingest batch %s is being processed by another worker", batch_id)
            return None
        batch = IngestBatch.objects.filter(pk=batch_id).first()
        if batch is None or not batch.is_active:
            return batch
        _batch_start(batch)
        try:
            if batch.replay_file:
                replay_run(batch, after_chunk=after_chunk)
            else:
                _load_run(batch, after_chunk=after_chunk)
        except TRANSIENT_DB_ERRORS:
            raise
        except IngestFileError as exc:
            _batch_fail(batch, exc.message)
        except BatchStatusError:
            logger.warning("ingest batch %s changed under this worker; leaving it", batch_id, exc_info=True)
        except Exception as exc:
            # the exception's text can quote a row (a database error's DETAIL names the values): it goes to the
            # batch, which only staff with the batch permission read; the log gets where it happened, not what
            logger.error("ingest batch %s failed: %s at %s", batch_id, type(exc).__name__, _where(exc))
            _batch_fail(batch, _("Unexpected error, reported to the operators: %(error)s")
                        % {"error": f"{type(exc).__name__}: {exc}"}, logged=True)
        else:
            _batch_finish(batch)
        return batch


def _batch_start(batch: IngestBatch) -> None:
    now = timezone.now()
    if batch.status == BatchStatus.QUEUED:
        changes = {"attempts": batch.attempts + 1, "error": ""}
        if batch.started_at is None:
            changes["started_at"] = now
        if not batch.chunk_rows:
            changes["chunk_rows"] = settings.INGEST_CHUNK_ROWS
        batch.transition_to(BatchStatus.RUNNING, **changes)
    else:  # running: a worker died (or its message came back); carry on from the last committed chunk
        IngestBatch.objects.filter(pk=batch.pk).update(attempts=F("attempts") + 1, updated_at=now)
        batch.attempts += 1
    if batch.chunks_done:
        logger.info("ingest batch %s: attempt %s, resuming after chunk %s", batch.pk, batch.attempts, batch.chunks_done)
    else:
        logger.info("ingest batch %s: attempt %s, starting", batch.pk, batch.attempts)


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame of the exception: enough for an operator to find, nothing of the data."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


def _batch_fail(batch: IngestBatch, message: str, *, logged: bool = False) -> None:
    if not logged:  # a file-level refusal of ours (encoding, header): its message quotes no row
        logger.warning("ingest batch %s failed: %s", batch.pk, message)
    now = timezone.now()
    changes = {"error": message}
    if batch.replay_file:
        changes["replay_finished_at"] = now
    else:
        changes["finished_at"] = now
    batch.transition_to(BatchStatus.FAILED, **changes)


def _batch_finish(batch: IngestBatch) -> None:
    now = timezone.now()
    changes = {"rows_total": batch.rows_done}
    if batch.replay_file:
        changes["replay_finished_at"] = now
    else:
        changes["finished_at"] = now
    with transaction.atomic():
        batch.transition_to(BatchStatus.DONE, **changes)
        batch.refresh_from_db(fields=["touched_customer_ids"])
        if batch.touched_customer_ids:
            transaction.on_commit(partial(scores_refresh_request, batch_id=batch.pk))
    logger.info("ingest batch %s done: received %s = inserted %s + duplicates %s + rejected %s", batch.pk,
                batch.received, batch.inserted, batch.duplicates, batch.rejected)


def file_open(field_file):
    """The stored file, opened for reading bytes."""
    return field_file.storage.open(field_file.name, "rb")


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


def chunk_commit(batch: IngestBatch, write: Callable[[], None]) -> None:
    """One chunk's writes in one transaction; again, a few times, if PostgreSQL broke a deadlock.

    Two workers loading overlapping rows with different contents can still lock in opposite orders;
    PostgreSQL then rolls one back, and that one simply tries its chunk again.
    """
    for attempt in range(1, CHUNK_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                # A chunk's rows and the batch's counts commit together, and a resumed batch reloads
                # whatever did not commit, so a crash losing the last commits loses nothing: the
                # commit need not wait for the WAL flush.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                write()
            return
        except OperationalError as exc:
            if attempt == CHUNK_ATTEMPTS or not isinstance(exc.__cause__, psycopg2.errors.TransactionRollbackError):
                raise
            logger.warning("ingest batch %s: chunk %s rolled back (%s), trying again", batch.pk,
                           batch.chunks_done + 1, type(exc.__cause__).__name__)
            batch.refresh_from_db()
            time.sleep(0.2 * attempt)


def chunks_checked(chunks: Iterator[tuple[pd.DataFrame, pd.DataFrame]], *, channel_hint: str, check_encoding: bool
                   ) -> Iterator[tuple[pd.DataFrame, validation.ChunkResult, load.Staged]]:
    """(chunk, its checked rows, their staging COPY text) for each (chunk, rows to check), one chunk ahead.

    The pandas work on chunk k+1 runs in a helper thread while the caller writes chunk k (psycopg2
    lets go of the GIL while PostgreSQL works), so a worker uses two cores. The account look-up
    stays in this thread: it must see this connection's transaction (tests run inside one).
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-validate") as pool:
        pending: tuple[pd.DataFrame, Future] | None = None
        for chunk, rows in chunks:
            accounts = validation.accounts_lookup(rows)
            submitted = (chunk, pool.submit(_chunk_prepare, rows, accounts=accounts, channel_hint=channel_hint,
                                            check_encoding=check_encoding))
            if pending is not None:
                yield pending[0], *pending[1].result()
            pending = submitted
        if pending is not None:
            yield pending[0], *pending[1].result()


def _chunk_prepare(rows: pd.DataFrame, *, accounts: pd.DataFrame, channel_hint: str,
                   check_encoding: bool) -> tuple[validation.ChunkResult, load.Staged]:
    checked = validation.chunk_validate(rows, accounts=accounts, channel_hint=channel_hint,
                                        check_encoding=check_encoding)
    return checked, load.staged(checked.valid)


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
