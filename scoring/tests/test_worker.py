"""End to end with a real Celery worker: an ingest batch finishes, its customers' scores appear."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from accounts.tests.factories import AccountFactory
from scoring.models import CustomerScore, RunKind, RunStatus, ScoreRun

pytestmark = pytest.mark.slow

HEADER = "external_id,channel,account_no,occurred_at,amount,direction,mcc"


def _wait_for(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not true after {timeout} s")


def test_a_finished_ingest_batch_refreshes_the_scores_of_the_customers_it_touched(
        reference_data, celery_worker, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SCORING_STORE_WORKERS, settings.SCORING_CHUNK_CUSTOMERS = 2, 2  # (committed rows: threads see them)
    accounts = [AccountFactory() for _ in range(3)]
    bystander = AccountFactory()
    call_command("refresh_scores")  # the cut-offs the incremental run ranks against
    lines = [HEADER] + [f"S{n},POS,{accounts[n % 2].account_no},2026-11-01T10:{n:02d}:00+08:00,{n + 1}.00,DEBIT,5812"
                        for n in range(6)]
    path = tmp_path / "pos.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    call_command("ingest_transactions", str(path))
    run = _wait_for(lambda: ScoreRun.objects.filter(kind=RunKind.INCREMENTAL, status=RunStatus.DONE).first())

    assert sorted(run.customer_ids) == sorted({accounts[0].customer_id, accounts[1].customer_id})
    scores = {s.customer_id: s for s in CustomerScore.objects.all()}
    assert scores[accounts[0].customer_id].frequency == 3 and scores[accounts[1].customer_id].frequency == 3
    assert scores[accounts[0].customer_id].category_shares == {"DINING": 1.0}
    assert scores[accounts[2].customer_id].frequency == 0 and scores[bystander.customer_id].run_id != run.pk
