"""Loading branches from a CSV file (DESIGN §5): upsert by branch code."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pandas as pd

from crm_site.csv_import import (
    DEFAULT_CHUNK_SIZE,
    Chunk,
    ChunkCounts,
    CsvSpec,
    ImportResult,
    csv_import,
    max_lengths,
    stored_rows,
    upsert_rows,
)

from .models import Branch

SPEC = CsvSpec(kind="branches", key="code", required=("code", "name"), optional=("city", "address"))
FIELDS = ["name", "city", "address"]


def branches_import(*, file: str | Path | IO[bytes], chunk_size: int = DEFAULT_CHUNK_SIZE,
                    max_rows: int | None = None) -> ImportResult:
    """Add the branches the file names for the first time and update those whose name or address changed."""
    return csv_import(file=file, spec=SPEC, load_chunk=_load_chunk, chunk_size=chunk_size, max_rows=max_rows)


def _load_chunk(chunk: Chunk) -> ChunkCounts:
    chunk.require(*SPEC.required)
    chunk.max_lengths(max_lengths(Branch, {"code": "code", "name": "name", "city": "city", "address": "address"}))
    incoming = chunk.frame[FIELDS].astype(object)
    given = pd.DataFrame({field: chunk.given(field) for field in FIELDS})
    stored = stored_rows(Branch, chunk=chunk, key="code", fields=FIELDS)
    return upsert_rows(model=Branch, chunk=chunk, key="code", incoming=incoming, given=given, stored=stored)
