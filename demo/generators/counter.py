"""The demo's counter service (issue 15): counters at every demo branch and this morning's tickets.

Each branch gets a VIP, a large-cash and two integrated counters, its routing rules (the defaults) and a
lobby display token. Its morning: about forty tickets over the last two and a half hours, most from customers
the kiosk recognised (routed by their tier as the kiosk would), the earlier ones called, served and done, a few
no-shows, some who took the self-service suggestion, and the last ones still waiting, so `make run` opens on a
lobby with people in it. At the Shanghai branch a customer with an open WM-GREEN counter offer waits too.
The teller's integrated counter is left open, ready to call.

Rows are written directly (bulk_create), with each call of a known customer in the access log as the counter
writes it. Deterministic per --seed; a branch that already has tickets today is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from branches.models import Branch
from counter.models import (
    QUEUE_PREFIX,
    SELF_SERVICE,
    Counter,
    CounterKind,
    CounterSettings,
    IdentifierKind,
    Service,
    Ticket,
    TicketSequence,
    TicketStatus,
)
from counter.selectors import counter_settings_for, queue_for
from customers.models import AccessVia, Customer, CustomerAccessLog
from scoring.models import CustomerScore

from .campaign import demo_offer_customer
from .reference import BRANCHES

COUNTERS = (("V01", CounterKind.VIP), ("C01", CounterKind.CASH), ("A01", CounterKind.INTEGRATED),
            ("A02", CounterKind.INTEGRATED))
TICKETS = 40
WAITING = 8  # the last tickets issued are still in the queue
MORNING = dt.timedelta(minutes=150)  # shorter just after midnight: every duration shrinks with it
SERVICES = [(Service.CASH_LARGE, 8), (Service.CASH, 14), (Service.BALANCE, 5), (Service.TRANSFER, 8),
            (Service.ACCOUNT, 20), (Service.WEALTH, 18), (Service.LOAN, 10), (Service.OTHER, 7)]
KINDS = [IdentifierKind.MOBILE, IdentifierKind.CARD, IdentifierKind.RESIDENT_ID, IdentifierKind.ACCOUNT]


def demo_counter_ensure(*, now: dt.datetime, seed: int) -> int:
    """Counters for each demo branch and this morning's tickets; the number of tickets written."""
    written = 0
    with transaction.atomic():
        for demo_branch in BRANCHES:
            written += _branch_morning(code=demo_branch.code, suffix=demo_branch.suffix, now=now, seed=seed)
    return written


def _branch_morning(*, code: str, suffix: str, now: dt.datetime, seed: int) -> int:
    counters = _counters_ensure(code=code)
    if not counters:
        return 0
    branch_id = counters["A01"].branch_id
    day = timezone.localdate(now)
    if Ticket.objects.filter(branch_id=branch_id, day=day).exists():
        return 0
    User = get_user_model()
    teller, manager = (User.objects.filter(username=f"{role}_{suffix}").first() for role in ("teller", "manager"))
    if teller is None:
        return 0
    rng = random.Random(f"{seed}:counter:{code}")  # noqa: S311 - demo data, not security
    rules = counter_settings_for(branch_id=branch_id)
    start = max(now - MORNING, timezone.make_aware(dt.datetime.combine(day, dt.time.min)))
    scored = list(CustomerScore.objects.filter(customer__home_branch_id=branch_id, customer__merged_into__isnull=True)
                  .order_by("customer_id").values_list("customer_id", "tier")[:2000])
    offer_no = demo_offer_customer() if code == "SH001" else None
    offer = Customer.objects.filter(customer_no=offer_no).values_list("pk", flat=True).first() if offer_no else None

    tickets, numbers, logs = [], dict.fromkeys(CounterKind.values, 0), []
    services, weights = zip(*SERVICES, strict=True)
    span = (now - start).total_seconds()
    for i in range(TICKETS):
        issued = start + dt.timedelta(seconds=span * (i + rng.random() * 0.8) / TICKETS)
        service = rng.choices(services, weights)[0]
        customer_id, tier = rng.choice(scored) if scored and rng.random() < 0.7 else (None, "")
        if offer and i == TICKETS - 2:  # a waiting customer with an offer to pitch
            customer_id = offer
            tier = CustomerScore.objects.filter(customer_id=offer).values_list("tier", flat=True).first() or ""
            service = Service.WEALTH
        queue = queue_for(rules=rules, tier=tier, service=service)
        numbers[queue] += 1
        ticket = Ticket(branch_id=branch_id, day=day, number=f"{QUEUE_PREFIX[queue]}{numbers[queue]:03d}",
                        queue=queue, service=service, customer_id=customer_id, tier=tier,
                        identifier_kind=rng.choice(KINDS) if customer_id else IdentifierKind.NONE,
                        suggestion=SELF_SERVICE.get(service, ""), issued_at=issued)
        if i < TICKETS - WAITING and not (offer and customer_id == offer):
            _served(ticket, rng=rng, now=now, scale=span / MORNING.total_seconds(), counters=counters,
                    staff=(teller, manager or teller), logs=logs)
        tickets.append(ticket)
    Ticket.objects.bulk_create(tickets)
    TicketSequence.objects.bulk_create(
        [TicketSequence(branch_id=branch_id, day=day, queue=queue, last=last) for queue, last in numbers.items()],
        update_conflicts=True, unique_fields=["branch", "day", "queue"], update_fields=["last"])
    CustomerAccessLog.objects.bulk_create(logs)
    Counter.objects.filter(pk=counters["A01"].pk).update(is_open=True, teller=teller, opened_at=start)
    return len(tickets)


def _served(ticket: Ticket, *, rng: random.Random, now: dt.datetime, scale: float, counters: dict, staff: tuple,
            logs: list) -> None:
    """What happened to a ticket issued before the last few: self-service, a call and service, or a no-show."""
    def later(start: dt.datetime, minutes: float) -> dt.datetime:
        return min(start + dt.timedelta(minutes=minutes * scale), now)

    if ticket.suggestion and rng.random() < 0.35:
        ticket.status, ticket.suggestion_taken = TicketStatus.CANCELLED, True
        ticket.done_at = later(ticket.issued_at, rng.uniform(0.3, 1.5))
        return
    wait = rng.uniform(1, 5) if ticket.queue == CounterKind.VIP else rng.uniform(3, 18)
    counter = {CounterKind.VIP: "V01", CounterKind.CASH: "C01"}.get(ticket.queue, rng.choice(["A01", "A02"]))
    by = staff[0] if counter == "A01" else staff[1]
    ticket.counter, ticket.called_by = counters[counter], by
    ticket.called_at = ticket.announced_at = later(ticket.issued_at, wait)
    if rng.random() < 0.06:
        ticket.status, ticket.done_at = TicketStatus.NO_SHOW, later(ticket.called_at, 2)
    else:
        ticket.status, ticket.done_at = TicketStatus.DONE, later(ticket.called_at, rng.uniform(3, 14))
    if ticket.customer_id:
        logs.append(CustomerAccessLog(customer_id=ticket.customer_id, user=by, via=AccessVia.COUNTER,
                                      at=ticket.called_at))


def _counters_ensure(*, code: str) -> dict[str, Counter]:
    branch = Branch.objects.filter(code=code).first()
    if branch is None:
        return {}
    CounterSettings.objects.get_or_create(branch=branch)
    return {counter_code: Counter.objects.get_or_create(branch=branch, code=counter_code, defaults={"kind": kind})[0]
            for counter_code, kind in COUNTERS}
