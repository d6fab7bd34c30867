"""The counter service end to end, in the system Chromium against the live server.

A kiosk issues tickets through the API with its token (a walk-in, an AAA customer by mobile, a tier B customer
by ID number); the manager's lobby board shows the AAA customer's masked name, tier badge and the offer to pitch
(and records "interested"); the teller opens the VIP counter, calls next and lands on that customer's 360 page
with the ticket and its service in the counter bar, and marks it done. The public display, by its token, shows
the numbers and no one's name.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import ProductFactory
from campaigns.models import CampaignChannel, CampaignRecipient, CampaignStatus, RecipientStatus
from campaigns.tests.factories import CampaignFactory, running, score_for
from conftest import PASSWORD
from counter import services
from counter.models import CounterSettings, Ticket, TicketStatus
from counter.tests.factories import CounterFactory
from customers.models import AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory, resident_id

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")


def watch_console(page) -> list[str]:
    errors = []
    page.on("console", lambda message: errors.append(f"{message.text} {message.location}")
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    return errors


def kiosk_issue(live_server, token: str, **body) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the live server of this test
        f"{live_server.url}/api/v1/counter/tickets/", data=json.dumps({"branch": "SH001", **body}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live server of this test
        assert response.status == 201
        return json.loads(response.read())


@pytest.mark.parametrize("language", ["zh-CN", "en-US"], ids=["zh-hans", "en"])
def test_kiosk_lobby_board_and_call_next_to_the_360_page(page_in, live_server, branch, teller, manager,
                                                         artifacts_dir, language):
    vip = CustomerFactory(home_branch=branch, full_name="欧阳娜娜", mobile="+8613912345678")
    score_for(vip, tier="AAA", alerts=[{"code": "birthday", "date": (dt.date.today() + dt.timedelta(days=3))
                                                                   .strftime("%m-%d")}])
    regular = CustomerFactory(home_branch=branch, full_name="张伟", date_of_birth=dt.date(1980, 1, 2),
                              id_number=resident_id(dt.date(1980, 1, 2), sequence=7))
    score_for(regular, tier="B")
    product = ProductFactory(code="WM-GREEN", name="绿色低碳主题理财", name_en="Green low-carbon wealth plan",
                             kind="WEALTH")
    campaign = running(CampaignFactory(branch=branch, product=product, channels=["COUNTER"],
                                       status=CampaignStatus.RUNNING))
    offer = CampaignRecipient.objects.create(campaign=campaign, customer=vip, channel=CampaignChannel.COUNTER,
                                             status=RecipientStatus.SENT)
    vip_counter = CounterFactory(branch=branch, code="V01", kind="VIP")
    CounterFactory(branch=branch, code="A01", kind="INTEGRATED")
    display_token = CounterSettings.objects.create(branch=branch).display_token
    _kiosk, token = services.kiosk_create(username="kiosk_sh_1", branch=branch)

    # --- the kiosk issues three tickets --------------------------------------------------------------------------
    walk_in = kiosk_issue(live_server, token.key, service="ACCOUNT")
    issued = kiosk_issue(live_server, token.key, service="WEALTH", identifier="139 1234 5678")
    known = kiosk_issue(live_server, token.key, service="CASH", identifier=regular.id_number)
    assert (walk_in["ticket_no"], walk_in["customer_no"]) == ("A001", None)
    assert (issued["ticket_no"], issued["queue"], issued["customer_no"]) == ("V001", "VIP", vip.customer_no)
    assert (known["ticket_no"], known["suggestion"]["channel"]) == ("A002", "ATM")

    # --- the manager's lobby board: masked name, tier, alert and the offer to pitch -----------------------------
    lobby = page_in(language)
    lobby_errors = watch_console(lobby)
    log_in(lobby, live_server, "manager")
    lobby.locator("nav.mainnav a[href='/counter/lobby/']").click()
    vip_row = lobby.locator("[data-testid=lobby-ticket][data-ticket=V001]")
    expect(vip_row.locator("[data-testid=masked-name]")).to_have_text("欧阳**")
    expect(vip_row.locator("[data-testid=tier]")).to_have_text("AAA")
    expect(vip_row.locator(".alert-badge")).to_have_count(1)
    expect(vip_row.locator(f"#offer-{offer.pk}")).to_contain_text("WM-GREEN")
    expect(lobby.locator("body")).not_to_contain_text("欧阳娜娜")
    expect(lobby.locator("[data-testid=lobby-ticket][data-ticket=A002] [data-testid=masked-name]")).to_have_text("张*")
    lobby.screenshot(path=str(artifacts_dir / f"counter-lobby-{language}.png"), full_page=True)
    vip_row.locator(f"#offer-{offer.pk} button[value=interested]").click()
    expect(lobby.locator(f"#offer-{offer.pk} [data-testid=offer-outcome]")).to_be_visible()
    offer.refresh_from_db()
    assert offer.response == "interested"

    # --- the teller opens the VIP counter, calls next, lands on the 360 page, marks done -----------------------
    page = page_in(language)
    errors = watch_console(page)
    log_in(page, live_server, "teller")
    bar = page.locator("[data-testid=counter-bar]")
    page.select_option("#counter-choice", value=str(vip_counter.pk))
    bar.locator("[data-testid=open-counter]").click()
    expect(page.locator("[data-testid=counter-code]")).to_contain_text("V01")
    page.locator("[data-testid=call-next]").click()
    page.wait_for_url(f"{live_server.url}/customers/{vip.customer_no}/")
    expect(page.locator("[data-testid=current-ticket]")).to_have_text("V001")
    expect(page.locator("[data-testid=current-service]")).to_have_text(
        "理财" if language == "zh-CN" else "Wealth management")
    expect(page.locator("h1")).to_contain_text("欧阳娜娜")  # the 360 page, in full for the teller
    assert CustomerAccessLog.objects.filter(customer=vip, via=AccessVia.COUNTER, user=teller).count() == 1
    page.screenshot(path=str(artifacts_dir / f"counter-called-360-{language}.png"), full_page=True)

    # the lobby display, by its token, shows V001 at V01 and nobody's name
    display = page_in(language)
    display.goto(f"/counter/display/SH001/{display_token}/")
    expect(display.locator("[data-testid=display-called]")).to_contain_text("V001")
    expect(display.locator("[data-testid=display-called]")).to_contain_text("V01")
    expect(display.locator("body")).not_to_contain_text("欧阳")
    expect(display.locator("body")).not_to_contain_text("张")

    page.locator("[data-testid=ticket-done]").click()
    expect(page.locator("[data-testid=call-next]")).to_be_visible()
    assert Ticket.objects.get(number="V001").status == TicketStatus.DONE
    # the next call goes to the longest-waiting ticket of any queue: the walk-in, who stays on the bar
    page.locator("[data-testid=call-next]").click()
    expect(page.locator("[data-testid=current-ticket]")).to_have_text("A001")
    assert page.url == f"{live_server.url}/customers/{vip.customer_no}/"
    assert not errors, errors

    # the manager's branch dashboard: the day's counter figures with their charts
    lobby.goto("/scores/branch/")
    expect(lobby.locator("#counter-tickets")).to_have_text("3")
    expect(lobby.locator("#counter-suggestions")).to_have_text("1 / 0")
    lobby.locator("#chart-counter-services").scroll_into_view_if_needed()
    lobby.wait_for_function("typeof Chart !== 'undefined' && Chart.getChart('chart-counter-services') !== undefined")
    assert lobby.evaluate("Chart.getChart('chart-counter-waits') !== undefined")
    lobby.screenshot(path=str(artifacts_dir / f"counter-dashboard-{language}.png"), full_page=True)
    assert not lobby_errors, lobby_errors
