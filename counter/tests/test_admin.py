"""Managers keep their own branch's counters and routing rules in /admin/; admins every branch's."""

from __future__ import annotations

import pytest

from counter.models import Counter, CounterSettings

from .factories import CounterFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_a_manager_lists_and_edits_only_their_branch_counters(client_for, manager, branch, other_branch):
    own = CounterFactory(branch=branch, code="A01")
    CounterFactory(branch=other_branch, code="Z99")
    client = client_for(manager)
    page = client.get("/admin/counter/counter/").content.decode()
    assert "A01" in page and "Z99" not in page
    response = client.post("/admin/counter/counter/add/", {"branch": other_branch.pk, "code": "X01",
                                                           "kind": "VIP"})
    assert response.status_code == 200  # the other branch is not a choice
    assert not Counter.objects.filter(code="X01").exists()
    response = client.post("/admin/counter/counter/add/", {"branch": branch.pk, "code": "V01", "kind": "VIP"})
    assert response.status_code == 302
    assert Counter.objects.filter(branch=branch, code="V01", kind="VIP").exists()
    assert client.get(f"/admin/counter/counter/{own.pk}/change/").status_code == 200


def test_a_manager_sets_the_routing_rules_of_their_branch(client_for, manager, branch):
    client = client_for(manager)
    response = client.post("/admin/counter/countersettings/add/", {
        "branch": branch.pk, "vip_tiers": ["AAA"], "display_token": "lobby-screen-token-1",
        "queue_CASH_LARGE": "CASH", "queue_WEALTH": "VIP", "queue_LOAN": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    rules = CounterSettings.objects.get(branch=branch)
    assert rules.vip_tiers == ["AAA"]
    assert rules.service_queues == {"CASH_LARGE": "CASH", "WEALTH": "VIP"}


def test_tickets_are_read_only_in_the_admin_and_show_no_customer(client_for, manager, branch, vip_customer):
    ticket = TicketFactory(branch=branch, number="V001", customer=vip_customer)
    client = client_for(manager)
    assert client.get("/admin/counter/ticket/").status_code == 200
    page = client.get(f"/admin/counter/ticket/{ticket.pk}/change/").content.decode()
    assert vip_customer.full_name not in page
    assert client.get("/admin/counter/ticket/add/").status_code == 403


def test_a_teller_has_no_counter_admin(client_for, teller):
    assert client_for(teller).get("/admin/counter/counter/").status_code == 302  # not staff: to the admin login
