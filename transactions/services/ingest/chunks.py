"""A run's chunks: the stored file to read them from, and one chunk's writes committed (again, after a deadlock)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import psycopg2.errors
from django.db import OperationalError, connection, transaction

from transactions.models import IngestBatch

logger = logging.getLogger("transactions.services.ingest")

CHUNK_ATTEMPTS = 3

ChunkHook = Callable[[IngestBatch, int], None]


def file_open(field_file):
    """The stored file, opened for reading bytes."""
    return field_file.storage.open(field_file.name, "rb")


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
