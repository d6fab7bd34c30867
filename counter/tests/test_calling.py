"""Taking counters and calling tickets: the order, the empty queue, the access log, done/no-show/recall."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from counter.models import Counter, Ticket, TicketStatus
from customers.models import AccessVia, CustomerAccessLog

from .factories import CounterFactory, TicketFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/counter"


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


@pytest.fixture
def at_counter(as_user, teller, counters):
    """The teller at the integrated counter A01, and their API client."""
    client = as_user(teller)
    assert client.post(f"{API}/counters/{counters['INTEGRATED'].pk}/open/").status_code == 200
    return client


def call(client, counter):
    return client.post(f"{API}/counters/{counter.pk}/call-next/")


def test_a_counter_serves_its_own_queue_first_come_first_served_then_the_longest_waiting(
        at_counter, branch, counters):
    # today's tickets (the day is the branch's local date, also just after midnight)
    TicketFactory(branch=branch, number="V001", queue="VIP", issued_at=ago(30), day=timezone.localdate())
    TicketFactory(branch=branch, number="A002", queue="INTEGRATED", issued_at=ago(5), day=timezone.localdate())
    TicketFactory(branch=branch, number="A001", queue="INTEGRATED", issued_at=ago(10), day=timezone.localdate())
    TicketFactory(branch=branch, number="C001", queue="CASH", issued_at=ago(20), day=timezone.localdate())
    order = []
    for _ in range(4):
        response = call(at_counter, counters["INTEGRATED"])
        assert response.status_code == 200
        order.append(response.json()["ticket_no"])
        assert at_counter.post(f"{API}/tickets/{order[-1]}/done/").status_code == 200
    assert order == ["A001", "A002", "V001", "C001"]


def test_nobody_waiting_answers_204(at_counter, counters):
    response = call(at_counter, counters["INTEGRATED"])
    assert response.status_code == 204
    assert not response.content


def test_yesterdays_and_finished_tickets_are_not_called(at_counter, branch, counters):
    TicketFactory(branch=branch, number="A009", issued_at=ago(60 * 25))
    TicketFactory(branch=branch, number="A010", status=TicketStatus.DONE)
    assert call(at_counter, counters["INTEGRATED"]).status_code == 204


def test_calling_a_known_customer_logs_the_access_and_answers_the_profile(at_counter, teller, branch, counters,
                                                                         vip_customer):
    TicketFactory(branch=branch, number="V001", queue="VIP", service="WEALTH", customer=vip_customer)
    response = call(at_counter, counters["INTEGRATED"])
    assert response.status_code == 200
    assert response.json() == {"ticket_no": "V001", "queue": "VIP", "service": "WEALTH",
                               "customer_no": vip_customer.customer_no,
                               "profile_url": f"/customers/{vip_customer.customer_no}/"}
    log = CustomerAccessLog.objects.get()
    assert (log.customer, log.user, log.via) == (vip_customer, teller, AccessVia.COUNTER)
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.counter, ticket.called_by) == ("called", counters["INTEGRATED"], teller)
    assert ticket.called_at is not None


def test_calling_a_walk_in_logs_nothing(at_counter, branch, counters):
    TicketFactory(branch=branch, number="A001")
    response = call(at_counter, counters["INTEGRATED"])
    assert response.json()["customer_no"] is None
    assert response.json()["profile_url"] is None
    assert not CustomerAccessLog.objects.exists()


def test_a_counter_with_a_ticket_still_called_cannot_call_again(at_counter, branch, counters):
    TicketFactory(branch=branch, number="A001")
    TicketFactory(branch=branch, number="A002")
    assert call(at_counter, counters["INTEGRATED"]).status_code == 200
    assert call(at_counter, counters["INTEGRATED"]).status_code == 409
    assert Ticket.objects.filter(status="waiting").count() == 1


def test_only_the_teller_at_the_open_counter_may_call(as_user, at_counter, manager, counters, branch):
    TicketFactory(branch=branch, number="A001")
    assert call(as_user(manager), counters["INTEGRATED"]).status_code == 403
    assert call(as_user(manager), counters["VIP"]).status_code == 403  # not open
    assert Ticket.objects.get().status == "waiting"


def test_a_counter_of_another_branch_cannot_be_taken(as_user, other_branch_manager, counters):
    response = as_user(other_branch_manager).post(f"{API}/counters/{counters['VIP'].pk}/open/")
    assert response.status_code == 403
    assert not Counter.objects.get(pk=counters["VIP"].pk).is_open


def test_an_unknown_counter_is_404(as_user, teller, counters):
    assert as_user(teller).post(f"{API}/counters/999999/open/").status_code == 404


def test_one_counter_per_teller_and_one_teller_per_counter(as_user, at_counter, teller, manager, counters):
    assert at_counter.post(f"{API}/counters/{counters['VIP'].pk}/open/").status_code == 409
    assert as_user(manager).post(f"{API}/counters/{counters['INTEGRATED'].pk}/open/").status_code == 409
    # opening again one's own counter changes nothing
    assert at_counter.post(f"{API}/counters/{counters['INTEGRATED'].pk}/open/").status_code == 200
    assert Counter.objects.get(teller=teller) == counters["INTEGRATED"]


def test_closing_frees_the_counter_but_not_with_a_ticket_called(at_counter, as_user, manager, branch, counters):
    TicketFactory(branch=branch, number="A001")
    call(at_counter, counters["INTEGRATED"])
    assert at_counter.post(f"{API}/counters/{counters['INTEGRATED'].pk}/close/").status_code == 409
    assert as_user(manager).post(f"{API}/counters/{counters['INTEGRATED'].pk}/close/").status_code == 403
    at_counter.post(f"{API}/tickets/A001/done/")
    response = at_counter.post(f"{API}/counters/{counters['INTEGRATED'].pk}/close/")
    assert response.status_code == 200
    assert response.json()["is_open"] is False
    assert as_user(manager).post(f"{API}/counters/{counters['INTEGRATED'].pk}/open/").status_code == 200


def test_done_no_show_and_recall(at_counter, branch, counters):
    for number in ("A001", "A002"):
        TicketFactory(branch=branch, number=number)
    call(at_counter, counters["INTEGRATED"])
    response = at_counter.post(f"{API}/tickets/A001/recall/")
    assert response.status_code == 200
    assert response.json()["recalls"] == 1
    assert at_counter.post(f"{API}/tickets/A001/no-show/").json()["status"] == "no_show"
    assert at_counter.post(f"{API}/tickets/A001/done/").status_code == 409
    call(at_counter, counters["INTEGRATED"])
    assert at_counter.post(f"{API}/tickets/A002/serve/").json()["status"] == "serving"
    assert at_counter.post(f"{API}/tickets/A002/recall/").status_code == 409
    done = at_counter.post(f"{API}/tickets/A002/done/").json()
    assert done["status"] == "done"
    assert done["done_at"]


def test_another_tellers_ticket_cannot_be_finished(as_user, at_counter, manager, branch, counters):
    TicketFactory(branch=branch, number="A001")
    call(at_counter, counters["INTEGRATED"])
    assert as_user(manager).post(f"{API}/tickets/A001/done/").status_code == 403
    assert as_user(manager).post(f"{API}/tickets/Z999/done/").status_code == 404


def test_stale_tickets_close_after_a_day(branch):
    from counter.tasks import close_stale_tickets

    old = TicketFactory(branch=branch, number="A001", issued_at=ago(60 * 25))
    fresh = TicketFactory(branch=branch, number="A002")
    done = TicketFactory(branch=branch, number="A003", issued_at=ago(60 * 30), status=TicketStatus.DONE)
    assert close_stale_tickets() == 1
    assert Ticket.objects.get(pk=old.pk).status == "cancelled"
    assert Ticket.objects.get(pk=fresh.pk).status == "waiting"
    assert Ticket.objects.get(pk=done.pk).status == "done"
    assert close_stale_tickets() == 0


def test_counters_list_is_the_own_branch(as_user, teller, counters, other_branch):
    CounterFactory(branch=other_branch, code="X01")
    codes = [c["code"] for c in as_user(teller).get(f"{API}/counters/").json()]
    assert codes == ["A01", "C01", "V01"]


def test_call_next_and_issue_stay_within_their_query_budgets(at_counter, kiosk_client, branch, counters, vip_customer,
                                                             django_assert_max_num_queries):
    # issue: token, permissions, the kiosk's branch and rules, the look-up, number and insert, position and wait
    # (and the test transaction's savepoint); call-next: one statement and the access row (bench/README.md)
    with django_assert_max_num_queries(9):
        assert kiosk_client.post(f"{API}/tickets/", {"branch": "SH001", "service": "WEALTH",
                                                     "identifier": "13912345678"}, format="json").status_code == 201
    with django_assert_max_num_queries(4):
        assert call(at_counter, counters["INTEGRATED"]).status_code == 200


@pytest.mark.parametrize("path", [
    "/counters/99999999999999999999999999/open/", "/counters/99999999999999999999999999/call-next/",
    "/tickets/%E5%BC%A0%E4%BC%9F%E5%BC%A0%E4%BC%9F%E5%BC%A0/done/", "/tickets/A001%00/recall/",
])
def test_odd_ids_and_numbers_are_4xx_never_500(as_user, teller, path):
    assert 400 <= as_user(teller).post(f"{API}{path}").status_code < 500
