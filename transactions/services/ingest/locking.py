"""The advisory lock a worker holds on its batch from start to finish (crm_site.locks)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from crm_site.locks import advisory_lock

LOCK_CLASS = 7301  # first key of the advisory locks on ingest batches: (LOCK_CLASS, batch id)


@contextmanager
def batch_lock(batch_id: int) -> Iterator[bool]:
    """A session advisory lock on the batch: True if this connection holds it, False if another does.

    Session-level, because the chunks commit one by one; a worker that dies loses its connection and
    with it the lock.
    """
    with advisory_lock(LOCK_CLASS, batch_id) as locked:
        yield locked


def batch_is_locked(batch_id: int) -> bool:
    """Whether some worker is processing the batch right now."""
    with batch_lock(batch_id) as locked:
        return not locked
