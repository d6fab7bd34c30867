"""The counter's pages: the teller's bar, the lobby board, the public display, the dashboard's statistics."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import CampaignChannel, CampaignRecipient, CampaignStatus, RecipientStatus
from campaigns.tests.factories import CampaignFactory, running
from counter.models import CounterSettings, Ticket
from customers.models import AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory

from .factories import CounterFactory, TicketFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def counter_a01(branch):
    return CounterFactory(branch=branch, code="A01")


def test_every_page_of_a_teller_loads_the_counter_bar(client_for, teller):
    page = client_for(teller).get("/").content.decode()
    assert 'hx-get="/counter/bar/"' in page


def test_a_manager_gets_the_counter_bar_too_and_a_kiosk_never(client_for, manager, kiosk):
    assert 'hx-get="/counter/bar/"' in client_for(manager).get("/").content.decode()
    assert 'hx-get="/counter/bar/"' not in client_for(kiosk).get("/").content.decode()


def test_the_bar_opens_calls_the_known_customer_to_the_360_page_and_marks_done(client_for, teller, branch,
                                                                              counter_a01, vip_customer):
    client = client_for(teller)
    TicketFactory(branch=branch, number="V001", queue="VIP", service="WEALTH", customer=vip_customer)
    bar = client.get("/counter/bar/").content.decode()
    assert "A01" in bar and 'name="counter"' in bar
    opened = client.post("/counter/bar/open/", {"counter": counter_a01.pk}, **HTMX)
    assert opened.status_code == 200
    assert 'data-testid="call-next"' in opened.content.decode()
    called = client.post("/counter/bar/call-next/", **HTMX)
    assert called.status_code == 204
    assert called["HX-Redirect"] == f"/customers/{vip_customer.customer_no}/"
    assert CustomerAccessLog.objects.filter(via=AccessVia.COUNTER, customer=vip_customer).count() == 1
    # the 360 page's bar shows the ticket and its service
    bar = client.get("/counter/bar/").content.decode()
    assert re.search(r'data-testid="current-ticket">V001<', bar)
    assert 'data-testid="current-service">Wealth management<' in bar or "理财" in bar
    done = client.post("/counter/bar/tickets/V001/done/", **HTMX)
    assert done.status_code == 200
    assert Ticket.objects.get().status == "done"


def test_calling_a_walk_in_stays_on_the_bar_and_an_empty_queue_says_so(client_for, teller, branch, counter_a01):
    client = client_for(teller)
    client.post("/counter/bar/open/", {"counter": counter_a01.pk}, **HTMX)
    empty = client.post("/counter/bar/call-next/", **HTMX)
    assert empty.status_code == 200
    assert 'role="status"' in empty.content.decode()
    TicketFactory(branch=branch, number="A001")
    walk_in = client.post("/counter/bar/call-next/", **HTMX)
    assert walk_in.status_code == 200
    assert "A001" in walk_in.content.decode()


def test_the_bar_shows_errors_as_4xx_and_without_htmx_redirects(client_for, teller, branch, counter_a01):
    client = client_for(teller)
    assert client.post("/counter/bar/open/", {"counter": "x"}, **HTMX).status_code == 400
    assert client.post("/counter/bar/open/", {"counter": 99999}, **HTMX).status_code == 404
    assert client.post("/counter/bar/call-next/", **HTMX).status_code == 409
    assert client.post("/counter/bar/tickets/A001/fly/", **HTMX).status_code == 404
    response = client.post("/counter/bar/open/", {"counter": counter_a01.pk})
    assert response.status_code == 302 and response["Location"] == "/counter/"


@pytest.fixture
def lobby(branch, vip_customer, b_customer, product_offer):
    TicketFactory(branch=branch, number="V001", queue="VIP", service="WEALTH", customer=vip_customer)
    TicketFactory(branch=branch, number="A001", queue="INTEGRATED", service="CASH", customer=b_customer)
    TicketFactory(branch=branch, number="A002", queue="INTEGRATED", service="LOAN")


@pytest.fixture
def product_offer(branch, vip_customer):
    campaign = running(CampaignFactory(branch=branch, channels=["COUNTER"], status=CampaignStatus.RUNNING))
    return CampaignRecipient.objects.create(campaign=campaign, customer=vip_customer, channel=CampaignChannel.COUNTER,
                                            status=RecipientStatus.DELIVERED)


def test_the_lobby_board_shows_queues_masked_names_tiers_and_the_offer(client_for, manager, vip_customer, lobby,
                                                                      product_offer):
    page = client_for(manager).get("/counter/lobby/").content.decode()
    assert "欧阳**" in page and "张*" in page
    assert vip_customer.full_name not in page and vip_customer.customer_no not in page
    assert vip_customer.mobile not in page and "13912345678" not in page
    assert 'class="tier tier-AAA"' in page
    assert f'id="offer-{product_offer.pk}"' in page
    assert 'hx-trigger="every 5s"' in page
    # each recognised customer's first showing to this member of staff today is in the access log, once
    client_for(manager).get("/counter/lobby/board/", **HTMX)
    assert CustomerAccessLog.objects.filter(via=AccessVia.COUNTER).count() == 2


def _lobby_board_queries(client, branch, campaign, waiting: int) -> int:
    """The queries of one lobby board poll with `waiting` recognised customers waiting, each with an offer."""
    Ticket.objects.all().delete()
    for i in range(waiting):
        customer = CustomerFactory(home_branch=branch)
        TicketFactory(branch=branch, number=f"A{i + 1:03d}", customer=customer, tier="B")
        CampaignRecipient.objects.create(campaign=campaign, customer=customer, channel=CampaignChannel.COUNTER,
                                         status=RecipientStatus.DELIVERED)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/counter/lobby/board/", **HTMX).content.decode()
    assert page.count('data-testid="offer"') == waiting
    return len(queries)


def test_the_lobby_board_reads_the_same_number_of_times_for_2_or_6_waiting_customers(client_for, manager, branch):
    campaign = running(CampaignFactory(branch=branch, channels=["COUNTER"], status=CampaignStatus.RUNNING))
    client = client_for(manager)
    client.get("/counter/lobby/board/", **HTMX)  # the session and the permissions cached, as on every later poll
    assert _lobby_board_queries(client, branch, campaign, 2) == _lobby_board_queries(client, branch, campaign, 6)
    assert CustomerAccessLog.objects.filter(via=AccessVia.COUNTER, user=manager).count() == 8


def test_the_lobby_board_is_for_branch_staff_of_that_branch(client_for, other_branch_manager, admin_user, lobby):
    assert "欧阳" not in client_for(other_branch_manager).get("/counter/lobby/").content.decode()
    assert client_for(other_branch_manager).get("/counter/lobby/?branch=SH001").status_code == 404
    assert "欧阳**" in client_for(admin_user).get("/counter/lobby/?branch=SH001").content.decode()


def test_the_public_display_shows_numbers_and_counters_only(client, branch, lobby, vip_customer, teller,
                                                           counter_a01):
    from counter import services

    settings_row = CounterSettings.objects.create(branch=branch)
    services.counter_open(counter_id=counter_a01.pk, user=teller)
    services.ticket_call_next(counter_id=counter_a01.pk, user=teller)
    for url in (f"/counter/display/SH001/{settings_row.display_token}/",
                f"/counter/display/SH001/{settings_row.display_token}/board/"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "V001" in page and "A01" in page and "A002" in page
        for personal in ("欧阳", "张", vip_customer.customer_no, "AAA", "13912345678", "tier", "offer"):
            assert personal not in page.replace(branch.name, ""), personal


def test_the_public_display_needs_the_branch_token(client, branch, other_branch, settings):
    own = CounterSettings.objects.create(branch=branch)
    other = CounterSettings.objects.create(branch=other_branch)
    assert client.get(f"/counter/display/SH001/{other.display_token}/").status_code == 404
    assert client.get("/counter/display/SH001/guess/").status_code == 404
    assert client.get(f"/counter/display/SH001/{own.display_token}/").status_code == 200
    settings.COUNTER_DISPLAY_TOKEN = "site-wide-display-token"
    assert client.get("/counter/display/BJ001/site-wide-display-token/").status_code == 200


def test_the_branch_dashboard_carries_the_counter_statistics(client_for, manager, teller, branch):
    TicketFactory(branch=branch, number="A001", queue="INTEGRATED")
    page = client_for(manager).get("/scores/branch/").content.decode()
    assert 'hx-get="/counter/stats/?branch=SH001"' in page
    stats = client_for(manager).get("/counter/stats/?branch=SH001", **HTMX)
    assert stats.status_code == 200
    assert 'id="counter-tickets">1<' in stats.content.decode()
    assert 'id="counter-stats-data"' in stats.content.decode()
    assert client_for(manager).get("/counter/stats/?day=2999-01-01", **HTMX).status_code == 400
    assert client_for(teller).get("/counter/stats/").status_code == 403


@pytest.mark.parametrize("path", ["/counter/display/SH%00/abc/", "/counter/display/SH001/a%00b/board/",
                                  "/counter/display/%E4%B8%8A%E6%B5%B7/x/"])
def test_odd_display_addresses_are_404(client, branch, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", ["?branch=SH%00", "?day=0000-00-00", "?day=%00"])
def test_odd_lobby_and_stats_queries_are_4xx(client_for, admin_user, branch, query):
    client = client_for(admin_user)
    assert 400 <= client.get(f"/counter/lobby/{query}").status_code < 500
    assert 400 <= client.get(f"/counter/stats/{query}", **HTMX).status_code < 500
