"""Counters, tickets and kiosks as the services leave them."""

from __future__ import annotations

import factory
from django.utils import timezone

from branches.tests.factories import BranchFactory
from counter.models import Counter, CounterKind, Service, Ticket, TicketStatus


class CounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counter

    branch = factory.SubFactory(BranchFactory)
    code = factory.Sequence(lambda n: f"K{n:02d}")
    kind = CounterKind.INTEGRATED


class TicketFactory(factory.django.DjangoModelFactory):
    """A waiting ticket; pass status/called_at/done_at for one further on."""

    class Meta:
        model = Ticket

    branch = factory.SubFactory(BranchFactory)
    issued_at = factory.LazyFunction(timezone.now)
    day = factory.LazyAttribute(lambda o: timezone.localdate(o.issued_at))
    queue = CounterKind.INTEGRATED
    number = factory.Sequence(lambda n: f"T{n:03d}")
    service = Service.ACCOUNT
    status = TicketStatus.WAITING
