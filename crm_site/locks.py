"""PostgreSQL advisory locks, the one way the project takes them.

A key is one bigint (`advisory_lock(REFRESH_LOCK_KEY)`) or two ints, a class and an id
(`advisory_lock(LOCK_CLASS, batch_id)`): PostgreSQL keeps the two spaces apart.

- `advisory_lock`: session-level and non-blocking, for work that commits many times (an ingest batch
  chunk by chunk, a score refresh). It is held until released here or until the connection dies, so a
  dead worker never keeps it.
- `advisory_xact_lock`: transaction-level and blocking, for callers that take turns inside one
  transaction (batches asking for a refresh, two demo seeds); the commit or rollback releases it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection as default_connection

from .retry import TRANSIENT_DB_ERRORS


def _arguments(key: tuple[int, ...]) -> str:
    if len(key) not in (1, 2):
        raise ValueError("an advisory lock key is one bigint or two ints")
    return ", ".join(["%s"] * len(key))


@contextmanager
def advisory_lock(*key: int, connection=None) -> Iterator[bool]:
    """Try to take the session lock on `key`: yields True if this connection now holds it, False if another
    does (without waiting), and releases it on the way out.

    `connection` is Django's default connection unless given (tests pass a second one to play another
    worker). If the release fails because the connection went away, the connection is closed: a dead
    session has dropped its locks already, and closing makes sure of it.
    """
    if connection is None:
        connection = default_connection
    arguments = _arguments(key)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock({arguments})", list(key))
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT pg_advisory_unlock({arguments})", list(key))
            except TRANSIENT_DB_ERRORS:
                connection.close()


def advisory_xact_lock(*key: int) -> None:
    """Wait for the transaction lock on `key`; the current transaction's end releases it."""
    with default_connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock({_arguments(key)})", list(key))
