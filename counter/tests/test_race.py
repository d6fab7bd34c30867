"""Many counters calling at once on real connections: no ticket is called twice, none is left behind;
many kiosks issuing at once: no number is drawn twice."""

from __future__ import annotations

import threading
from collections import Counter as Tally

import pytest
from django.db import connection

from branches import services as branch_services
from branches.tests.factories import BranchFactory
from conftest import PASSWORD
from counter import services
from counter.models import CounterKind, Ticket, TicketStatus

from .factories import CounterFactory, TicketFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
COUNTERS = 8
TICKETS = 60


def run_in_threads(work, count: int) -> list:
    """work(i) in `count` threads released together, each on its own database connection."""
    start = threading.Barrier(count)
    results, failures = [], []

    def runner(i):
        try:
            start.wait(timeout=30)
            results.append(work(i))
        except BaseException as exc:
            failures.append((i, exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    return results


def test_many_counters_calling_at_once_never_get_the_same_ticket(reference_data):
    branch = BranchFactory(code="SH001")
    tellers = [branch_services.staff_create(username=f"teller{i}", password=PASSWORD, branch=branch, role="teller")
               for i in range(COUNTERS)]
    kinds = [CounterKind.VIP, CounterKind.CASH, CounterKind.INTEGRATED]
    counters = [CounterFactory(branch=branch, code=f"K{i:02d}", kind=kinds[i % 3]) for i in range(COUNTERS)]
    for teller, counter in zip(tellers, counters, strict=True):
        services.counter_open(counter_id=counter.pk, user=teller)
    for i in range(TICKETS):
        TicketFactory(branch=branch, number=f"A{i:03d}", queue=kinds[i % 3])

    def serve_until_empty(i):
        called = []
        while True:
            ticket = services.ticket_call_next(counter_id=counters[i].pk, user=tellers[i])
            if ticket is None:
                return called
            called.append(ticket.number)
            services.ticket_act(number=ticket.number, action="done", user=tellers[i])

    called = [number for numbers in run_in_threads(serve_until_empty, COUNTERS) for number in numbers]
    assert len(called) == TICKETS
    assert not [number for number, times in Tally(called).items() if times > 1]
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == TICKETS
    # every ticket is on the counter that called it
    assert Ticket.objects.filter(counter__isnull=True).count() == 0


def test_many_kiosks_issuing_at_once_never_draw_the_same_number(reference_data):
    branch = BranchFactory(code="SH001")
    kiosks = [services.kiosk_create(username=f"kiosk{i}", branch=branch)[0] for i in range(COUNTERS)]

    def issue_five(i):
        return [services.ticket_issue(kiosk=kiosks[i], branch_code="SH001", service="ACCOUNT").ticket.number
                for _ in range(5)]

    numbers = [n for batch in run_in_threads(issue_five, COUNTERS) for n in batch]
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, COUNTERS * 5 + 1)]


def test_one_counter_called_twice_at_once_calls_one_ticket(reference_data):
    """A double click on call-next: both requests reach the database together; one ticket is called, the other
    request is told the counter is busy (the partial unique constraint one_ticket_at_counter), in every round."""
    from counter.exceptions import CounterBusy

    branch = BranchFactory(code="SH001")
    teller = branch_services.staff_create(username="teller0", password=PASSWORD, branch=branch, role="teller")
    counter = CounterFactory(branch=branch, code="K01", kind=CounterKind.INTEGRATED)
    services.counter_open(counter_id=counter.pk, user=teller)
    rounds = 12
    for i in range(rounds * 2):
        TicketFactory(branch=branch, number=f"A{i:03d}", queue=CounterKind.INTEGRATED)

    for _ in range(rounds):
        def click(i):
            try:
                return services.ticket_call_next(counter_id=counter.pk, user=teller).number
            except CounterBusy:
                return None

        called = [number for number in run_in_threads(click, 2) if number]
        assert len(called) == 1, called
        assert Ticket.objects.filter(counter=counter, status=TicketStatus.CALLED).count() == 1
        services.ticket_act(number=called[0], action="done", user=teller)
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == rounds
