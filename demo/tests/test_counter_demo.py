"""The demo's counter service (demo/generators/counter.py): counters everywhere and a morning's lobby."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Max
from django.utils import timezone

from counter import services
from counter.models import Counter, Ticket, TicketSequence, TicketStatus
from customers.models import AccessVia, CustomerAccessLog

pytestmark = pytest.mark.slow


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("seed_demo", "--customers", "200", stdout=io.StringIO())


def test_every_demo_branch_has_counters_and_a_morning_of_tickets(seeded):
    by_branch = dict(Counter.objects.values_list("branch__code").annotate(n=Count("pk")))
    assert by_branch == {"SH001": 4, "BJ001": 4, "SZ001": 4}
    today = timezone.localdate()
    for code in by_branch:
        tickets = Ticket.objects.filter(branch__code=code, day=today)
        assert tickets.count() == 40
        assert tickets.filter(status=TicketStatus.WAITING).exists()
        assert tickets.filter(status=TicketStatus.DONE).exists()
        assert tickets.filter(customer__isnull=False).exists() and tickets.filter(customer__isnull=True).exists()
    assert Counter.objects.get(branch__code="SH001", code="A01").teller.username == "teller_sh"


def test_the_called_known_customers_are_in_the_access_log(seeded):
    called = Ticket.objects.filter(customer__isnull=False, called_at__isnull=False)
    assert called.exists()
    assert CustomerAccessLog.objects.filter(via=AccessVia.COUNTER).count() == called.count()


def test_the_shanghai_lobby_has_a_customer_with_an_offer_waiting(seeded):
    from campaigns.selectors import offers_for_customer

    waiting = Ticket.objects.filter(branch__code="SH001", status=TicketStatus.WAITING, customer__isnull=False)
    assert any(offers_for_customer(customer=t.customer) for t in waiting.select_related("customer"))


def test_the_kiosk_numbers_on_after_the_demo_morning(seeded):
    from branches.models import Branch

    kiosk, _token = services.kiosk_create(username="kiosk_test", branch=Branch.objects.get(code="SZ001"))
    issued = services.ticket_issue(kiosk=kiosk, branch_code="SZ001", service="ACCOUNT").ticket
    last = TicketSequence.objects.filter(branch__code="SZ001", queue="INTEGRATED").aggregate(m=Max("last"))["m"]
    assert issued.number == f"A{last:03d}"
    assert Ticket.objects.filter(branch__code="SZ001", number=issued.number).count() == 1


def test_a_second_seed_adds_no_tickets(seeded):
    before = Ticket.objects.count()
    call_command("seed_demo", "--customers", "200", stdout=io.StringIO())
    assert Ticket.objects.count() == before
