"""The teller at the counter, in the system Chromium: find the customer, read the 360, note, reveal."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from customers.models import AccessAction, CustomerAccessLog, Interaction
from customers.tests.factories import CustomerFactory
from teller.tests.builders import CARD_PAN, customer_with_holdings

pytestmark = pytest.mark.django_db(transaction=True)

# Chinese UI text that is already in the zh-hans catalogue; the teller's own strings
# ("Holdings", "Add note", "Reveal", ...) are still waiting for their translation.
ZH = {"nav_customers": "客户", "current_account": "活期账户", "dining": "餐饮", "debit_card": "借记卡",
      "id_type": "居民身份证", "note_kind": "备注"}
EN = {"nav_customers": "Customers", "current_account": "Current account", "dining": "Dining",
      "debit_card": "Debit card", "id_type": "Resident ID card", "note_kind": "Note"}


def log_in(page, live_server, username="teller"):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")


def watch_console(page) -> list[str]:
    """What went wrong on the page: script errors, Content-Security-Policy refusals, failed requests."""
    errors = []

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    return errors


@pytest.fixture
def counter(branch, other_branch):
    """The customer at the counter (served by another branch) and a namesake of this branch who ranks first."""
    CustomerFactory(full_name="欧阳修", home_branch=branch)
    return customer_with_holdings(branch=other_branch, card_pan=CARD_PAN, transactions=30, full_name="欧阳娜娜",
                                  mobile="+8613912345678", email="ouyang.nana@example.com")


@pytest.mark.parametrize(("language", "text"), [("zh-CN", ZH), ("en-US", EN)], ids=["zh-hans", "en"])
def test_a_teller_finds_the_customer_reads_the_360_adds_a_note_and_reveals_the_id(
        page_in, live_server, teller, counter, artifacts_dir, language, text):
    customer = counter.customer
    page = page_in(language)
    errors = watch_console(page)
    log_in(page, live_server)
    expect(page.locator("nav.mainnav")).to_contain_text(text["nav_customers"])

    # the box has focus: the teller just types, and the results come as they type
    box = page.locator("#search-box")
    expect(box).to_be_focused()
    searches = []
    page.on("request", lambda request: searches.append((request.method, request.url, request.post_data))
            if "/search/" in request.url else None)
    page.keyboard.type("ouyang", delay=40)
    rows = page.locator("#search-results tr.result")
    expect(rows).to_have_count(2)
    expect(page.locator("#search-results table.results")).to_have_attribute("data-query", "ouyang")
    assert page.url == f"{live_server.url}/"  # live results, not a page load
    assert 1 <= len(searches) < len("ouyang")  # debounced: not one request per key
    method, url, body = searches[-1]
    assert (method, url) == ("POST", f"{live_server.url}/search/")  # the query is posted, never in a URL
    assert "q=ouyang" in body
    expect(rows.nth(0)).to_contain_text("欧阳修")  # own branch first
    expect(rows.nth(1)).to_contain_text("欧阳娜娜")
    expect(rows.nth(1)).not_to_contain_text(customer.id_number)
    expect(box).to_be_focused()

    page.keyboard.press("ArrowDown")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/customers/{customer.customer_no}/")
    url = page.url

    # the 360: holdings and transactions
    expect(page.locator("h1")).to_contain_text("欧阳娜娜")
    holdings = page.locator("#holdings")
    for account in counter.accounts:
        expect(holdings).to_contain_text(account.account_no)
    expect(holdings.locator("h3").first).to_have_text(text["current_account"])
    expect(holdings).to_contain_text("个人活期账户" if language == "zh-CN" else "Personal current account")
    expect(holdings).to_contain_text("622848******0018")
    expect(holdings).to_contain_text(text["debit_card"])
    page.locator("#tab-transactions").click()
    transactions = page.locator("#transactions-panel")
    expect(transactions.locator("tbody tr")).to_have_count(20)
    expect(transactions).to_contain_text("海底捞火锅(陆家嘴店)")
    expect(transactions).to_contain_text(text["dining"])
    expect(page.locator("#id-number")).to_have_text(re.compile(r"\*\*\*\*" + customer.id_number[-4:]))
    expect(page.locator("dl.facts").first).to_contain_text(text["id_type"])
    page.locator("#tab-charts").click()
    page.locator("#chart-channels").scroll_into_view_if_needed()
    assert page.evaluate("typeof Chart !== 'undefined' && Chart.getChart('chart-channels') !== undefined")

    # a note from the visit panel, through htmx: the page is not reloaded
    page.evaluate("window.stillTheSamePage = true")
    quick = page.get_by_test_id("quick-note")
    quick.locator("textarea[name=text]").fill("客户咨询大额存单利率，下周再来")
    quick.locator("button[type=submit]").click()
    expect(page.get_by_test_id("recent-interactions")).to_contain_text("客户咨询大额存单利率，下周再来")
    expect(page.get_by_test_id("recent-interactions")).to_contain_text(text["note_kind"])
    expect(page.get_by_test_id("quick-note").locator("textarea[name=text]")).to_have_value("")
    page.locator("#tab-interactions").click()
    expect(page.locator("#interactions-panel ol.timeline")).to_contain_text("客户咨询大额存单利率，下周再来")
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url == url
    assert Interaction.objects.get(customer=customer).staff == teller

    # the full ID number, with a reason, on record
    id_number = page.locator("#id-number")
    id_number.locator("summary").click()
    id_number.locator("input[name=reason]").fill("客户办理挂失，核对证件")
    id_number.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=revealed-id]")).to_have_text(customer.id_number)
    assert page.evaluate("window.stillTheSamePage") is True
    (reveal,) = CustomerAccessLog.objects.filter(customer=customer, action=AccessAction.REVEAL)
    assert (reveal.user, reveal.reason, reveal.field) == (teller, "客户办理挂失，核对证件", "id_number")

    page.screenshot(path=str(artifacts_dir / f"customer-360-{language}.png"), full_page=True)
    assert errors == []


@pytest.mark.parametrize("start", ["/", "/search/"])
def test_a_card_number_from_the_card_reader_opens_the_customer(page_in, live_server, teller, counter, start):
    page = page_in("zh-CN")
    log_in(page, live_server)
    page.goto(start)
    expect(page.locator("#search-box")).to_be_focused()
    page.keyboard.type(CARD_PAN)  # a keyboard-wedge reader: the digits and Enter at once
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/customers/{counter.customer.customer_no}/")
    expect(page.locator("h1")).to_contain_text("欧阳娜娜")
    # the number went in a POST body: neither the address bar nor the history holds it
    visited = page.evaluate("performance.getEntriesByType('navigation').map(e => e.name)")
    assert not any(CARD_PAN in url for url in [page.url, *visited])


def test_enter_on_live_results_for_an_identifier_opens_the_customer(page_in, live_server, teller, counter):
    """The results echo the number masked; Enter still knows they are the results for what is in the box."""
    page = page_in("zh-CN")
    log_in(page, live_server)
    box = page.locator("#search-box")
    box.type(counter.customer.mobile.removeprefix("+86"), delay=30)
    expect(page.locator("#search-results table.results")).to_have_attribute("data-query", re.compile(r"^\*\*\*\*"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/customers/{counter.customer.customer_no}/")


def test_escape_on_the_360_page_goes_back_to_the_search_box(page_in, live_server, teller, counter):
    page = page_in("en-US")
    log_in(page, live_server)
    page.goto(f"/customers/{counter.customer.customer_no}/")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("#search-box")).to_be_focused()
    expect(page.locator("ul.recent")).to_contain_text("欧阳娜娜")


def test_a_mistake_in_a_form_shows_its_message_in_place(page_in, live_server, teller, counter):
    """htmx leaves 4xx answers unswapped unless told otherwise: the teller must see why."""
    customer = counter.customer
    page = page_in("en-US")
    log_in(page, live_server)
    page.goto(f"/customers/{customer.customer_no}/")
    page.evaluate("window.stillTheSamePage = true")

    page.locator("#tab-contact").click()  # the form is fetched when the tab opens
    contact = page.locator("#contact-panel")
    expect(contact.locator("input[name=mobile]")).to_be_visible()
    contact.locator("input[name=mobile]").fill("12345")
    contact.locator("button[type=submit]").click()
    expect(contact.locator("[role=alert]")).to_contain_text("12345 is not a valid phone number.")

    page.locator("#tab-transactions").click()
    transactions = page.locator("#transactions-panel")
    transactions.locator("input[name=date_to]").fill("2025-03-01")
    transactions.locator("input[name=date_from]").fill("2025-03-02")
    expect(transactions.locator("[role=alert]")).to_contain_text("The start date is after the end date.")

    assert page.evaluate("window.stillTheSamePage") is True
    customer.refresh_from_db()
    assert customer.mobile == "+8613912345678"
