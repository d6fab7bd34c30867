"""Issuing tickets at the kiosk: recognition by every kind of identifier, routing by every rule, walk-ins,
bad identifiers and services, another branch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from counter.models import Counter, CounterSettings, IdentifierKind, Ticket, TicketStatus
from customers.models import CustomerAccessLog

from .factories import TicketFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/counter/tickets/"


def issue(client, **body):
    return client.post(URL, {"branch": "SH001", "service": "ACCOUNT", **body}, format="json")


@pytest.mark.parametrize(("identifier", "kind"), [
    ("13912345678", IdentifierKind.MOBILE),
    ("139 1234 5678", IdentifierKind.MOBILE),
    ("resident_id", IdentifierKind.RESIDENT_ID),
    ("card", IdentifierKind.CARD),
    ("310501000012345678", IdentifierKind.ACCOUNT),
    ("customer_no", IdentifierKind.CUSTOMER_NO),
])
def test_every_kind_of_identifier_recognises_the_customer_and_only_its_kind_is_kept(
        kiosk_client, vip_customer, identifier, kind):
    identifier = {"resident_id": vip_customer.id_number, "card": vip_customer.pan,
                  "customer_no": vip_customer.customer_no}.get(identifier, identifier)
    response = issue(kiosk_client, identifier=identifier)
    assert response.status_code == 201, response.content
    assert response.json()["customer_no"] == vip_customer.customer_no
    ticket = Ticket.objects.get()
    assert ticket.customer == vip_customer
    assert ticket.identifier_kind == kind
    stored = " ".join(str(value) for value in Ticket.objects.values_list().get())
    assert identifier.replace(" ", "") not in stored.replace(" ", "")


def test_a_vip_tier_goes_to_the_vip_queue_whatever_the_service(kiosk_client, vip_customer):
    response = issue(kiosk_client, identifier="13912345678", service="CASH_LARGE")
    assert response.status_code == 201
    body = response.json()
    assert body["queue"] == "VIP"
    assert body["ticket_no"] == "V001"
    assert body["position"] == 1
    assert body["estimated_wait_minutes"] == 0


def test_large_cash_goes_to_the_cash_queue(kiosk_client, b_customer):
    body = issue(kiosk_client, identifier="13800001111", service="CASH_LARGE").json()
    assert (body["queue"], body["ticket_no"], body["customer_no"]) == ("CASH", "C001", b_customer.customer_no)


@pytest.mark.parametrize("service", ["CASH", "BALANCE", "TRANSFER", "ACCOUNT", "WEALTH", "LOAN", "OTHER"])
def test_everything_else_goes_to_the_integrated_queue(kiosk_client, b_customer, service):
    assert issue(kiosk_client, identifier="13800001111", service=service).json()["queue"] == "INTEGRATED"


def test_a_walk_in_without_identifier_gets_a_ticket_without_customer(kiosk_client):
    response = issue(kiosk_client, service="WEALTH")
    assert response.status_code == 201
    assert response.json()["customer_no"] is None
    assert Ticket.objects.get().identifier_kind == IdentifierKind.NONE


def test_an_unknown_identifier_is_a_walk_in_with_the_kind_offered(kiosk_client, vip_customer):
    response = issue(kiosk_client, identifier="13700000000")
    assert response.status_code == 201
    assert response.json()["customer_no"] is None
    assert Ticket.objects.get().identifier_kind == IdentifierKind.MOBILE


def test_numbers_count_up_per_queue_and_positions_and_waits_follow(kiosk_client, counters):
    numbers = [issue(kiosk_client).json() for _ in range(3)]
    assert [n["ticket_no"] for n in numbers] == ["A001", "A002", "A003"]
    assert [n["position"] for n in numbers] == [1, 2, 3]
    # nobody served yet today: the default 5 minutes a ticket, one integrated counter (open or not)
    assert [n["estimated_wait_minutes"] for n in numbers] == [0, 5, 10]
    assert issue(kiosk_client, service="CASH_LARGE").json()["ticket_no"] == "C001"


def test_the_wait_is_the_days_mean_service_time_shared_by_the_counters_open_for_the_queue(
        kiosk_client, branch, counters, teller, manager):
    now = timezone.now()
    for number, minutes in (("A900", 4), ("A901", 8)):  # served today in 4 and 8 minutes: a mean of 6
        TicketFactory(branch=branch, number=number, status=TicketStatus.DONE,
                      called_at=now - dt.timedelta(minutes=minutes), done_at=now)
    TicketFactory(branch=branch, number="A902")  # waiting
    a02 = Counter.objects.create(branch=branch, code="A02", kind="INTEGRATED")
    for counter, user in ((counters["INTEGRATED"], teller), (a02, manager)):
        counter.is_open, counter.teller = True, user
        counter.save()
    body = issue(kiosk_client).json()
    # drawn above the day's tickets (the sequence starts after a restore), second in the queue, 6 minutes / 2
    assert (body["ticket_no"], body["position"], body["estimated_wait_minutes"]) == ("A903", 2, 3)


def test_numbers_past_999_keep_every_digit(kiosk_client, branch):
    TicketFactory(branch=branch, number="A999", status=TicketStatus.DONE)
    assert issue(kiosk_client).json()["ticket_no"] == "A1000"
    assert issue(kiosk_client).json()["ticket_no"] == "A1001"


@pytest.mark.parametrize("identifier", ["张伟", "abc", "12", "11010519491231003X", "1" * 41, "138-0"])
def test_a_malformed_identifier_is_refused_and_nothing_is_written(kiosk_client, identifier):
    response = issue(kiosk_client, identifier=identifier)
    assert response.status_code == 400
    assert "identifier" in response.json()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("body", [
    {"service": "MORTGAGE_PLUS"}, {"service": ""}, {"service": None}, {"service": ["CASH"]},
    {"branch": None}, {"branch": "X" * 17},
])
def test_an_unknown_service_or_a_bad_body_is_refused(kiosk_client, body):
    assert issue(kiosk_client, **body).status_code == 400
    assert not Ticket.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(kiosk_client):
    assert kiosk_client.post(URL, ["SH001"], format="json").status_code == 400


def test_another_branch_is_forbidden(kiosk_client, other_branch, vip_customer):
    response = kiosk_client.post(URL, {"branch": "BJ001", "service": "ACCOUNT", "identifier": "13912345678"},
                                 format="json")
    assert response.status_code == 403
    assert not Ticket.objects.exists()
    assert not CustomerAccessLog.objects.exists()


def test_the_branch_rules_can_change_the_vip_tiers_and_the_service_queues(kiosk_client, branch, b_customer):
    CounterSettings.objects.create(branch=branch, vip_tiers=["AAA", "AA", "B"],
                                   service_queues={"WEALTH": "VIP", "CASH": "CASH"})
    assert issue(kiosk_client, identifier="13800001111", service="CASH").json()["queue"] == "VIP"
    assert issue(kiosk_client, service="WEALTH").json()["queue"] == "VIP"
    assert issue(kiosk_client, service="CASH").json()["queue"] == "CASH"
    # the default rule no longer sends large cash to the cash counter
    assert issue(kiosk_client, service="CASH_LARGE").json()["queue"] == "INTEGRATED"


@pytest.mark.parametrize(("service", "channel"), [("CASH", "ATM"), ("BALANCE", "MOBILE"), ("TRANSFER", "MOBILE")])
def test_a_service_that_self_service_can_do_carries_a_suggestion(kiosk_client, service, channel):
    body = issue(kiosk_client, service=service).json()
    assert body["suggestion"]["channel"] == channel
    assert body["suggestion"]["text"]


def test_no_suggestion_for_what_needs_a_teller(kiosk_client):
    assert "suggestion" not in issue(kiosk_client, service="LOAN").json()


def test_taking_the_suggestion_leaves_the_queue(kiosk_client):
    number = issue(kiosk_client, service="CASH").json()["ticket_no"]
    response = kiosk_client.post(f"{URL}{number}/self-service/")
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.suggestion_taken) == ("cancelled", True)
    assert kiosk_client.post(f"{URL}{number}/self-service/").status_code == 409


def test_a_ticket_without_a_suggestion_cannot_be_taken_to_self_service(kiosk_client):
    number = issue(kiosk_client, service="LOAN").json()["ticket_no"]
    assert kiosk_client.post(f"{URL}{number}/self-service/").status_code == 400


def test_a_merged_profile_is_not_recognised(kiosk_client, vip_customer, b_customer):
    type(b_customer).objects.filter(pk=b_customer.pk).update(merged_into=vip_customer)
    assert issue(kiosk_client, identifier="13800001111").json()["customer_no"] is None
