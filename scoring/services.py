"""Score refreshes: a ScoreRun row is the work (DESIGN §9); processing it is safe to repeat."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm_site.locks import advisory_lock, advisory_xact_lock

from . import compute, store
from .models import RunKind, RunStatus, ScoreRun

logger = logging.getLogger(__name__)

# one refresh at a time: a session-level advisory lock, released when the run ends or its connection dies
REFRESH_LOCK_KEY = 0x5C0_4E5
# batches asking for a refresh take turns (a transaction-level advisory lock): see score_run_for_batch
COALESCE_LOCK_KEY = 0x5C0_4E6


class RefreshBusy(Exception):
    """Another refresh holds the lock; the run stays queued and is tried again."""


@contextlib.contextmanager
def refresh_lock() -> Iterator[bool]:
    with advisory_lock(REFRESH_LOCK_KEY) as acquired:
        yield acquired


def score_run_create(*, kind: str, as_of=None, customer_ids: Iterable[int] | None = None,
                     batch_id: int | None = None, requested_by=None) -> ScoreRun:
    ids = sorted({int(i) for i in customer_ids}) if customer_ids is not None else []
    return ScoreRun.objects.create(kind=kind, as_of=as_of or timezone.now(), customer_ids=ids, batch_id=batch_id,
                                   requested_by=requested_by)


@transaction.atomic
def score_run_for_batch(*, customer_ids: Iterable[int], batch_id: int | None) -> ScoreRun:
    """The incremental run an ingest batch asks for; a repeated message finds the run already recorded.

    Batches coalesce: while an incremental run waits (queued), a batch joins it — its customers added, its
    as_of moved to now — rather than queueing a refresh of its own. A POS switch posting every few seconds
    gets one run in flight and at most one waiting, never a queue. Callers take a transaction-level lock in
    turn, so two batches arriving together cannot both start a new run; the processor re-reads the customers
    once it has claimed a run (score_run_process), so none joins too late to be scored.
    """
    ids = sorted({int(i) for i in customer_ids})
    advisory_xact_lock(COALESCE_LOCK_KEY)
    if batch_id is not None:
        existing = (ScoreRun.objects.filter(Q(batch_id=batch_id) | Q(batch_ids__contains=[batch_id]),
                                            kind=RunKind.INCREMENTAL)
                    .exclude(status=RunStatus.FAILED).order_by("-created_at").first())
        if existing:
            return existing
    waiting = (ScoreRun.objects.select_for_update().filter(kind=RunKind.INCREMENTAL, status=RunStatus.QUEUED)
               .order_by("created_at", "id").first())
    if waiting is None:
        run = score_run_create(kind=RunKind.INCREMENTAL, customer_ids=ids, batch_id=batch_id)
        if batch_id is not None:
            run.batch_ids = [batch_id]
            run.save(update_fields=["batch_ids"])
        return run
    waiting.customer_ids = sorted(set(waiting.customer_ids) | set(ids))
    if batch_id is not None:
        waiting.batch_ids = [*waiting.batch_ids, batch_id]
    waiting.as_of = max(waiting.as_of, timezone.now())
    waiting.save(update_fields=["customer_ids", "batch_ids", "as_of"])
    return waiting


def latest_full_run() -> ScoreRun | None:
    return (ScoreRun.objects.filter(kind=RunKind.FULL, status=RunStatus.DONE)
            .order_by("-finished_at", "-id").first())


def score_run_process(*, run_id: int) -> ScoreRun | None:
    """Compute and store the run's scores; nothing to do when it is done or gone.

    Raises RefreshBusy when another refresh is running (the caller retries later).
    """
    run = ScoreRun.objects.filter(pk=run_id).first()
    if run is None or run.status == RunStatus.DONE:
        return run
    with refresh_lock() as acquired:
        if not acquired:
            raise RefreshBusy(f"score run {run_id}: another refresh is running")
        run.refresh_from_db()
        if run.status == RunStatus.DONE:
            return run
        if run.status == RunStatus.FAILED:
            run.transition_to(RunStatus.QUEUED)
        if run.status == RunStatus.RUNNING:  # its worker died (the lock was free): start it again
            run.transition_to(RunStatus.QUEUED)
        run.transition_to(RunStatus.RUNNING, started_at=timezone.now(), attempts=run.attempts + 1, error="")
        # batches that joined the run while it waited (score_run_for_batch) are in the row, not in this instance
        run.refresh_from_db(fields=["customer_ids", "batch_ids", "as_of"])
        try:
            _run_compute(run)
        except Exception as exc:
            run.transition_to(RunStatus.FAILED, finished_at=timezone.now(), error=repr(exc)[:2000])
            raise
    return run


def _run_compute(run: ScoreRun) -> None:
    started = time.perf_counter()
    windows = compute.Windows.ending(run.as_of)
    population = None
    changes: dict = {}
    if run.kind == RunKind.INCREMENTAL:
        base = latest_full_run()
        if base is None:
            # nothing to rank against yet: the first refresh ranks everyone
            logger.info("score run %s: no full run yet, scoring every customer", run.pk)
            changes["kind"] = RunKind.FULL
        else:
            population = compute.Population.from_json(base.cutoffs)
            changes["based_on"] = base
    customer_ids = run.customer_ids if population is not None else None
    frame, population, money = compute.scores_compute(windows=windows, customer_ids=customer_ids,
                                                      population=population)
    computed = time.perf_counter()
    written = store.scores_store(frame=frame, run_id=run.pk, as_of=run.as_of, computed_at=timezone.now(),
                                 chunk_rows=settings.SCORING_CHUNK_CUSTOMERS,
                                 workers=settings.SCORING_STORE_WORKERS)
    finished = time.perf_counter()
    if changes.get("kind", run.kind) == RunKind.FULL:
        changes["cutoffs"] = population.as_json()
    changes["timings"] = {"compute": round(computed - started, 3), "store": round(finished - computed, 3)}
    changes.update(base_currency=money["base_currency"], fx_rates=money["rates"], unconverted=money["unconverted"])
    if money["unconverted"]:
        logger.warning("score run %s: money without an exchange rate left out: %s", run.pk, money["unconverted"])
    run.transition_to(RunStatus.DONE, finished_at=timezone.now(), customers_scored=written, **changes)
    logger.info("score run %s (%s) done: %s customers in %.1f s", run.pk, run.kind, written, finished - started)


def runs_to_requeue() -> list[int]:
    """Runs a worker should be working on but is not: queued for a while, or running while no one holds the lock."""
    stuck_before = timezone.now() - timezone.timedelta(minutes=settings.SCORING_STUCK_AFTER_MINUTES)
    queued_before = timezone.now() - timezone.timedelta(minutes=2)
    candidates = ScoreRun.objects.filter(
        Q(status=RunStatus.QUEUED, created_at__lt=queued_before)
        | Q(status=RunStatus.RUNNING, started_at__lt=stuck_before)).order_by("created_at")
    with refresh_lock() as free:
        if not free:
            return []  # a refresh is running right now: let it finish first
        return list(candidates.values_list("pk", flat=True))
