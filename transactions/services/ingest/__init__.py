"""Ingest batches: record an upload, queue it, and process it chunk by chunk (DESIGN §5, §9).

Every entry point (upload page, API, command) calls `batch_create`, which stores the file and
records the IngestBatch in one transaction and queues the worker on commit. The worker
(`batch_process`) holds an advisory lock on the batch, reads the file with pandas in chunks, and
commits each chunk's rows, rejected rows, balance updates and counts together — so a worker that
dies resumes after the last committed chunk and nothing is counted twice.

By topic, each importing only those above it in this list:

- `queueing`: the nudges — the ingest task and the score refresh, both sent by task name;
- `recording`: `batch_create`, `batch_create_from_rows` (the file stored, the batch saved, queued on commit);
- `locking`: `batch_lock`, `batch_is_locked` (the worker's advisory lock on its batch);
- `states`: started or resumed, failed, finished (which asks for the score refresh);
- `chunks`: the stored file, one chunk's transaction (`chunk_commit`, tried again after a deadlock);
- `pipeline`: `chunks_checked`, validation one chunk ahead in a helper thread;
- `progress`: `progress_record` (a chunk's counts, in its transaction), `batch_wait`;
- `replay`: a corrected file of rejected rows, requested and run against the same batch;
- `processing`: `batch_process`, the worker's entry, which runs a first load or a replay.

The pipeline's parts outside this package: `fileformat` (the feed file), `validation` (checking a
chunk) and `load` (writing it).
"""

from .locking import LOCK_CLASS, batch_is_locked, batch_lock
from .processing import batch_process
from .progress import batch_wait, progress_record
from .queueing import INGEST_BATCH_TASK, SCORES_REFRESH_TASK, batch_queue, scores_refresh_request
from .recording import batch_create, batch_create_from_rows
from .replay import batch_replay_request

__all__ = ["INGEST_BATCH_TASK", "LOCK_CLASS", "SCORES_REFRESH_TASK", "batch_create", "batch_create_from_rows",
           "batch_is_locked", "batch_lock", "batch_process", "batch_queue", "batch_replay_request", "batch_wait",
           "progress_record", "scores_refresh_request"]
