"""One day of a branch's counter: counts, p50/p90 times, VIP within target, no-shows, suggestions taken."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from counter import selectors
from counter.models import TicketStatus

from .factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning(branch, other_branch):
    """Tickets of today at 09:00 local time with known waits (issued → called) and service times."""
    nine = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(9, 0)))

    def ticket(number, queue, service, wait, serve=None, status=TicketStatus.DONE, **fields):
        called = nine + dt.timedelta(minutes=wait) if wait is not None else None
        done = called + dt.timedelta(minutes=serve) if serve is not None else None
        return TicketFactory(branch=fields.pop("branch", branch), number=number, queue=queue, service=service,
                             issued_at=nine, day=nine.date(), called_at=called, done_at=done, status=status,
                             **fields)

    ticket("V001", "VIP", "WEALTH", 2, 10)
    ticket("V002", "VIP", "WEALTH", 4, 20)
    ticket("V003", "VIP", "CASH_LARGE", 9, 30)  # over the 5 minutes
    ticket("C001", "CASH", "CASH_LARGE", 10, 6)
    ticket("A001", "INTEGRATED", "ACCOUNT", 20, None, status=TicketStatus.NO_SHOW)
    ticket("A002", "INTEGRATED", "CASH", None, None, status=TicketStatus.CANCELLED, suggestion="ATM",
           suggestion_taken=True)
    ticket("A003", "INTEGRATED", "TRANSFER", None, None, status=TicketStatus.WAITING, suggestion="MOBILE")
    ticket("A001", "INTEGRATED", "ACCOUNT", 1, 1, branch=other_branch)  # another branch: not counted
    TicketFactory(branch=branch, number="A099", issued_at=nine - dt.timedelta(days=1))  # yesterday
    return nine.date()


def test_the_days_figures(branch, morning):
    stats = selectors.counter_stats(branch=branch, day=morning)
    summary = stats["summary"]
    assert (summary["tickets"], summary["served"], summary["no_shows"], summary["open"]) == (7, 4, 1, 1)
    # waits of the called tickets: 2, 4, 9, 10, 20 minutes
    assert summary["wait_p50"] == Decimal("9.0")
    assert summary["wait_p90"] == Decimal("16.0")
    # service times of the done tickets: 6, 10, 20, 30
    assert summary["service_p50"] == Decimal("15.0")
    assert summary["service_p90"] == Decimal("27.0")
    assert (summary["vip_called"], summary["vip_within_target"]) == (3, 2)
    assert summary["vip_within_target_share"] == Decimal("0.6667")
    assert (summary["suggested"], summary["suggestions_taken"]) == (2, 1)


def test_per_queue_and_per_service(branch, morning):
    stats = selectors.counter_stats(branch=branch, day=morning)
    queues = {q["code"]: q for q in stats["queues"]}
    assert {code: q["tickets"] for code, q in queues.items()} == {"VIP": 3, "CASH": 1, "INTEGRATED": 3}
    assert queues["VIP"]["wait_p50"] == Decimal("4.0")
    assert queues["INTEGRATED"]["no_shows"] == 1
    services = {s["code"]: s["tickets"] for s in stats["services"]}
    assert services["WEALTH"] == 2 and services["CASH_LARGE"] == 2 and services["LOAN"] == 0


def test_the_vip_target_is_a_setting(branch, morning, settings):
    settings.COUNTER_VIP_TARGET_MINUTES = 10
    assert selectors.counter_stats(branch=branch, day=morning)["summary"]["vip_within_target"] == 3


def test_an_empty_day_has_zeros_and_no_times(branch):
    summary = selectors.counter_stats(branch=branch, day=dt.date(2020, 1, 1))["summary"]
    assert summary["tickets"] == 0
    assert summary["wait_p50"] is None
    assert summary["vip_within_target_share"] is None


def test_the_api_gives_the_figures_to_the_manager_of_the_branch_only(as_user, manager, other_branch_manager,
                                                                    teller, morning):
    response = as_user(manager).get("/api/v1/counter/stats/", {"day": morning.isoformat()})
    assert response.status_code == 200
    assert response.json()["summary"]["tickets"] == 7
    assert as_user(other_branch_manager).get("/api/v1/counter/stats/", {"branch": "SH001"}).status_code == 404
    assert as_user(teller).get("/api/v1/counter/stats/").status_code == 403
    assert as_user(manager).get("/api/v1/counter/stats/", {"day": "yesterday"}).status_code == 400
