"""Checking chunks one ahead: the pandas work on the next chunk runs while the current one is written."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd

from .. import load, validation


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
