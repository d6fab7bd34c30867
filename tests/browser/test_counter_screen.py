"""The 360 at a counter's screen (1366×768): what to act on is on the first screen, in both languages."""

import pytest
from playwright.sync_api import expect

from scoring.tests.factories import CustomerScoreFactory
from teller.tests.builders import CARD_PAN, customer_with_holdings

from .test_teller_journey import log_in, watch_console

pytestmark = pytest.mark.django_db(transaction=True)

FIRST_SCREEN = ["offers", "alerts", "recent-interactions", "consent-summary", "quick-note"]


@pytest.fixture
def visitor(other_branch):
    holder = customer_with_holdings(branch=other_branch, card_pan=CARD_PAN, transactions=30, full_name="季淑珍",
                                    mobile="+8613912345678", email="ji.shuzhen@example.com",
                                    service_notes="听力不好，请大声说话")
    CustomerScoreFactory(customer=holder.customer, tier="AAA")
    return holder.customer


def within_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (box is not None and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= size["height"]
            and box["x"] + box["width"] <= size["width"])


@pytest.mark.parametrize("language", ["zh-CN", "en-US"], ids=["zh-hans", "en"])
def test_the_visit_panel_and_the_header_fit_the_first_screen_of_a_counter(
        page_in, live_server, teller, visitor, artifacts_dir, language):
    page = page_in(language)
    errors = watch_console(page)
    log_in(page, live_server)
    page.goto(f"/customers/{visitor.customer_no}/")
    assert page.evaluate("window.scrollY") == 0
    header = page.locator("#customer-header")
    for part in [header.locator("h1"), header.locator("[data-tier=AAA]"), page.locator("#id-number"),
                 page.locator("#header-mobile"), page.get_by_test_id("other-branch")]:
        expect(part).to_be_visible()
        assert within_viewport(page, part), part
    for testid in FIRST_SCREEN:
        part = page.get_by_test_id(testid)
        expect(part).to_be_visible()
        assert within_viewport(page, part), testid
    quick = page.get_by_test_id("quick-note")
    assert within_viewport(page, quick.locator("textarea"))
    assert within_viewport(page, quick.locator("button[type=submit]"))
    # the header stays in view while the teller reads the tabs further down
    page.evaluate("window.scrollBy(0, 1500)")
    assert page.evaluate("window.scrollY") > 0
    assert within_viewport(page, header.locator("h1"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir / f"counter-360-{language}.png"))
    assert errors == []


def test_saving_contact_details_keeps_the_scroll_position_and_the_revealed_id(page_in, live_server, teller, visitor):
    page = page_in("zh-CN")
    log_in(page, live_server)
    page.goto(f"/customers/{visitor.customer_no}/")
    id_number = page.locator("#id-number")
    id_number.locator("summary").click()
    id_number.locator("input[name=reason]").fill("客户办理挂失，核对证件")
    id_number.locator("button[type=submit]").click()
    expect(page.get_by_test_id("revealed-id")).to_have_text(visitor.id_number)

    page.locator("#tab-contact").click()
    contact = page.locator("#contact-panel")
    expect(contact.locator("input[name=salutation]")).to_be_visible()
    contact.locator("button[type=submit]").scroll_into_view_if_needed()
    # nothing typed: nothing changed, and the page says so
    contact.locator("button[type=submit]").click()
    expect(page.get_by_test_id("nothing-changed")).to_be_visible()

    page.locator("#contact-panel input[name=salutation]").fill("季女士")
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#contact-panel button[type=submit]").click()
    expect(page.locator("#contact-panel [role=status]")).to_contain_text("已保存")
    expect(page.locator("#header-contact .salutation")).to_have_text("季女士")
    expect(page.get_by_test_id("revealed-id")).to_have_text(visitor.id_number)
    assert page.evaluate("window.stillTheSamePage") is True
    assert abs(page.evaluate("window.scrollY") - scrolled) < 40


@pytest.mark.parametrize(("language", "first", "last", "shown"), [
    ("zh-CN", "淑珍", "季", "季淑珍"), ("en-US", "淑珍", "季", "季淑珍"),
    ("zh-CN", "Mary", "Smith", "Smith Mary"), ("en-US", "Mary", "Smith", "Mary Smith"),
], ids=["zh-hans-chinese", "en-chinese", "zh-hans-latin", "en-latin"])
def test_staff_names_read_in_the_order_of_the_readers_language(page_in, live_server, teller, visitor, language,
                                                               first, last, shown):
    teller.first_name, teller.last_name = first, last
    teller.save(update_fields=["first_name", "last_name"])
    page = page_in(language)
    log_in(page, live_server)
    page.goto(f"/customers/{visitor.customer_no}/")
    expect(page.locator("header.topbar .who")).to_contain_text(shown)
    quick = page.get_by_test_id("quick-note")
    quick.locator("textarea").fill("客户咨询外汇")
    quick.locator("button[type=submit]").click()
    expect(page.get_by_test_id("recent-interactions")).to_contain_text(shown)
