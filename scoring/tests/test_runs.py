"""Refreshes as units of work: incremental against stored cut-offs, one at a time, safe to repeat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from crm_site.locks import advisory_lock
from customers.tests.factories import CustomerFactory
from scoring import services, tasks
from scoring.models import CustomerScore, RunKind, RunStatus, ScoreRun

from .builders import AS_OF, account, at, txn

pytestmark = pytest.mark.django_db

RANK_FIELDS = {"value_score", "value_percentile", "tier", "top_percent", "drivers", "category_lift", "explanation",
               "run", "computed_at", "as_of"}


def figures(score: CustomerScore, *, ranks: bool = True) -> dict:
    return {f.name: getattr(score, f.name) for f in CustomerScore._meta.fields
            if f.name not in {"run", "computed_at"} and (ranks or f.name not in RANK_FIELDS)}


def run_now(kind: str, *, as_of=AS_OF, customer_ids=None) -> ScoreRun:
    run = services.score_run_create(kind=kind, as_of=as_of, customer_ids=customer_ids)
    return services.score_run_process(run_id=run.pk)


@pytest.fixture
def population():
    customers = []
    for i in range(10):
        customer = CustomerFactory()
        acct = account(customer, balance=f"{(i + 1) * 3000}.00")
        for day in range(i + 1):
            txn(acct, when=at(day * 11 + 2), amount=f"{(i + 1) * 20}.00", mcc="5812" if day % 2 else "4511",
                channel="POS" if day % 3 else "MOBILE")
        customers.append(customer)
    return customers


def test_a_full_run_stores_its_cut_offs_and_timings(population):
    run = run_now(RunKind.FULL)

    assert run.status == RunStatus.DONE
    assert run.customers_scored == 10
    assert [c["tier"] for c in run.cutoffs["tier_cutoffs"]] == ["AAA", "AA", "A", "B"]
    assert len(run.cutoffs["quantiles"]["aum"]) == 1001
    assert set(run.timings) == {"compute", "store"}
    assert CustomerScore.objects.filter(run=run).count() == 10


def test_an_incremental_run_on_unchanged_data_gives_the_score_and_tier_the_full_run_gave(population):
    run_now(RunKind.FULL)
    before = {s.customer_id: figures(s) for s in CustomerScore.objects.all()}

    touched = [population[2].pk, population[7].pk]
    run = run_now(RunKind.INCREMENTAL, customer_ids=touched)

    assert run.kind == RunKind.INCREMENTAL and run.based_on is not None
    assert run.customers_scored == 2
    after = {s.customer_id: figures(s) for s in CustomerScore.objects.filter(customer_id__in=touched)}
    # everything equal, the value score and tier included; only the rank within the population is
    # estimated from the stored score quantiles rather than counted (a full run counts positions)
    for pk in touched:
        differing = {k for k, v in after[pk].items() if v != before[pk][k]}
        assert differing <= {"value_percentile", "top_percent", "explanation"}
        assert after[pk]["explanation"].split(":")[0] == before[pk]["explanation"].split(":")[0]


def test_an_incremental_run_gives_touched_customers_the_figures_a_full_run_would(population):
    run_now(RunKind.FULL)
    changed = population[4]
    acct = changed.accounts.get()
    txn(acct, when=at(1), amount="999.00", mcc="5411", channel="ATM")
    txn(acct, when=at(1), amount="50.00", channel="COUNTER", direction="CREDIT")

    untouched = figures(CustomerScore.objects.get(pk=population[0].pk))
    run_now(RunKind.INCREMENTAL, customer_ids=[changed.pk])
    incremental = figures(CustomerScore.objects.get(pk=changed.pk), ranks=False)
    assert figures(CustomerScore.objects.get(pk=population[0].pk)) == untouched
    run_now(RunKind.FULL)
    full = figures(CustomerScore.objects.get(pk=changed.pk), ranks=False)

    assert incremental == full
    assert incremental["frequency"] == 7  # 5 before + 2 new


def test_the_first_incremental_run_without_cut_offs_scores_everyone(population):
    run = run_now(RunKind.INCREMENTAL, customer_ids=[population[0].pk])

    assert run.kind == RunKind.FULL
    assert CustomerScore.objects.count() == 10
    assert run.cutoffs["tier_cutoffs"]


def test_two_refreshes_never_run_at_once(population):
    run = services.score_run_create(kind=RunKind.FULL, as_of=AS_OF)
    other = connections.create_connection("default")
    try:
        with advisory_lock(services.REFRESH_LOCK_KEY, connection=other) as locked:
            assert locked
            with pytest.raises(services.RefreshBusy):
                services.score_run_process(run_id=run.pk)
            run.refresh_from_db()
            assert run.status == RunStatus.QUEUED
            assert not CustomerScore.objects.exists()
    finally:
        other.close()

    services.score_run_process(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE


def test_processing_a_done_run_again_does_nothing(population):
    run = run_now(RunKind.FULL)
    finished = run.finished_at

    again = services.score_run_process(run_id=run.pk)

    assert again.finished_at == finished and again.attempts == 1


def test_a_run_whose_worker_died_is_picked_up_again_by_the_sweeper(population):
    stuck = services.score_run_create(kind=RunKind.FULL, as_of=AS_OF)
    ScoreRun.objects.filter(pk=stuck.pk).update(status=RunStatus.RUNNING,
                                                started_at=timezone.now() - dt.timedelta(hours=2))
    fresh = services.score_run_create(kind=RunKind.FULL, as_of=AS_OF)

    assert services.runs_to_requeue() == [stuck.pk]  # the fresh one's message is still on its way

    services.score_run_process(run_id=stuck.pk)
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.DONE and stuck.attempts == 1
    assert ScoreRun.objects.get(pk=fresh.pk).status == RunStatus.QUEUED


def test_a_failed_run_records_the_error_and_can_be_run_again(population, monkeypatch):
    run = services.score_run_create(kind=RunKind.FULL, as_of=AS_OF)
    monkeypatch.setattr("scoring.store.scores_store", lambda **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.score_run_process(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "ZeroDivisionError" in run.error

    monkeypatch.undo()
    services.score_run_process(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.attempts == 2 and run.error == ""


def test_the_ingest_message_creates_one_incremental_run_per_batch(population, monkeypatch):
    queued = []
    monkeypatch.setattr("scoring.tasks.process_run.delay", queued.append)
    ids = [population[1].pk, population[3].pk]

    tasks.refresh_customers(customer_ids=ids, batch_id=42)
    tasks.refresh_customers(customer_ids=list(reversed(ids)), batch_id=42)  # the same message again

    run = ScoreRun.objects.get()
    assert (run.kind, run.batch_id, run.customer_ids) == (RunKind.INCREMENTAL, 42, sorted(ids))
    assert queued == [run.pk, run.pk]  # processing it twice is harmless: the second finds it done


def test_refresh_scores_command_with_as_of(population, capsys):
    call_command("refresh_scores", "--as-of", "2026-06-30")

    run = ScoreRun.objects.get()
    assert timezone.localtime(run.as_of).date() == dt.date(2026, 6, 30)
    assert "10 customers" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["30/06/2026", "2026-13-01", "tomorrow"])
def test_refresh_scores_command_refuses_a_bad_date(value):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("refresh_scores", "--as-of", value)
    assert not ScoreRun.objects.exists()


def test_scores_are_stored_chunk_by_chunk_with_the_same_result(population, settings):
    run_now(RunKind.FULL)
    whole = {s.customer_id: figures(s) for s in CustomerScore.objects.all()}
    settings.SCORING_CHUNK_CUSTOMERS = 3

    run = run_now(RunKind.FULL)

    assert run.customers_scored == 10
    assert {s.customer_id: figures(s) for s in CustomerScore.objects.all()} == whole
