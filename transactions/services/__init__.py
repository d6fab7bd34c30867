"""Writes of the transactions floor, by topic: ingest (record, queue, process, replay), sweep.

`ingest/` is a package by topic (its __init__ lists the modules); `fileformat`, `validation` and
`load` are the ingest pipeline's parts: the feed file, checking a chunk, and writing it.
"""

from .ingest import batch_create, batch_create_from_rows, batch_process, batch_queue, batch_replay_request, batch_wait
from .sweep import batches_sweep

__all__ = ["batch_create", "batch_create_from_rows", "batch_process", "batch_queue", "batch_replay_request",
           "batch_wait", "batches_sweep"]
