"""Frequent small batches coalesce: one refresh in flight and at most one waiting, never a queue of them."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from customers.tests.factories import CustomerFactory
from scoring import services, tasks
from scoring.models import CustomerScore, RunKind, RunStatus, ScoreRun

from .builders import account, at, txn

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    people = [CustomerFactory() for _ in range(4)]
    for person in people:
        txn(account(person), when=at(2))
    return people


def test_batches_arriving_while_a_refresh_waits_join_it_instead_of_queueing_another(customers, monkeypatch):
    queued = []
    monkeypatch.setattr("scoring.tasks.process_run.delay", queued.append)
    a, b, c, _d = customers

    tasks.refresh_customers(customer_ids=[a.pk], batch_id=1)
    tasks.refresh_customers(customer_ids=[b.pk, a.pk], batch_id=2)
    tasks.refresh_customers(customer_ids=[c.pk], batch_id=3)

    run = ScoreRun.objects.get()
    assert run.status == RunStatus.QUEUED
    assert run.customer_ids == sorted([a.pk, b.pk, c.pk])
    assert run.batch_ids == [1, 2, 3]
    assert queued == [run.pk] * 3  # three nudges, one run: the later ones find it done


def test_a_batch_arriving_while_a_refresh_runs_starts_one_waiting_run_that_later_batches_join(customers):
    a, b, c, d = customers
    first = services.score_run_for_batch(customer_ids=[a.pk], batch_id=1)
    first.transition_to(RunStatus.RUNNING)

    second = services.score_run_for_batch(customer_ids=[b.pk], batch_id=2)
    third = services.score_run_for_batch(customer_ids=[c.pk, d.pk], batch_id=3)

    assert second.pk != first.pk and third.pk == second.pk
    assert ScoreRun.objects.filter(status=RunStatus.QUEUED).count() == 1
    second.refresh_from_db()
    assert (second.customer_ids, second.batch_ids) == (sorted([b.pk, c.pk, d.pk]), [2, 3])


def test_a_repeated_message_of_a_coalesced_batch_finds_its_run(customers):
    a, b, *_ = customers
    run = services.score_run_for_batch(customer_ids=[a.pk], batch_id=1)
    services.score_run_for_batch(customer_ids=[b.pk], batch_id=2)
    run.transition_to(RunStatus.RUNNING)

    assert services.score_run_for_batch(customer_ids=[b.pk], batch_id=2).pk == run.pk
    assert ScoreRun.objects.count() == 1


def test_the_coalesced_run_scores_every_batchs_customers(customers):
    services.score_run_create(kind=RunKind.FULL)
    services.score_run_process(run_id=ScoreRun.objects.get().pk)
    CustomerScore.objects.all().delete()
    a, b, c, _d = customers

    for batch_id, person in enumerate([a, b, c], start=1):
        run = services.score_run_for_batch(customer_ids=[person.pk], batch_id=batch_id)
    run = services.score_run_process(run_id=run.pk)

    assert run.customers_scored == 3
    assert set(CustomerScore.objects.values_list("customer_id", flat=True)) == {a.pk, b.pk, c.pk}


def test_customers_who_join_after_the_run_was_read_but_before_it_started_are_scored(customers, monkeypatch):
    """The processor reads the run, another batch joins it, then the processor claims it: the join counts."""
    services.score_run_process(run_id=services.score_run_create(kind=RunKind.FULL).pk)
    CustomerScore.objects.all().delete()
    a, b, *_ = customers
    run = services.score_run_for_batch(customer_ids=[a.pk], batch_id=1)
    claim = ScoreRun.transition_to

    def join_then_claim(self, status, **changes):
        if status == RunStatus.RUNNING:
            services.score_run_for_batch(customer_ids=[b.pk], batch_id=2)  # lands between the read and the claim
        claim(self, status, **changes)

    monkeypatch.setattr(ScoreRun, "transition_to", join_then_claim)
    run = services.score_run_process(run_id=run.pk)

    assert run.customers_scored == 2
    assert set(CustomerScore.objects.values_list("customer_id", flat=True)) == {a.pk, b.pk}


@pytest.mark.django_db(transaction=True)
def test_batches_arriving_at_once_from_many_workers_make_one_run():
    people = [CustomerFactory() for _ in range(8)]
    start = threading.Barrier(len(people))
    errors = []

    def batch_done(batch_id: int, customer_id: int) -> None:
        try:
            start.wait()
            services.score_run_for_batch(customer_ids=[customer_id], batch_id=batch_id)
        except Exception as exc:  # reported below: an exception in a thread would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=batch_done, args=(n, person.pk)) for n, person in enumerate(people, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    run = ScoreRun.objects.get()
    assert run.customer_ids == sorted(p.pk for p in people)
    assert sorted(run.batch_ids) == list(range(1, 9))
