"""A teller whose session ends while typing a note loses nothing, and is warned before it ends."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from conftest import PASSWORD
from customers.models import Interaction
from customers.tests.factories import CustomerFactory

from .test_teller_journey import log_in, watch_console

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def customer(branch):
    return CustomerFactory(full_name="季淑珍", home_branch=branch)


@pytest.mark.parametrize("language", ["zh-CN", "en-US"], ids=["zh-hans", "en"])
def test_a_note_typed_when_the_session_ended_is_kept_through_the_login_and_saved(
        page_in, live_server, teller, customer, language):
    page = page_in(language)
    log_in(page, live_server)
    url = f"{live_server.url}/customers/{customer.customer_no}/"
    page.goto(url)
    quick = page.get_by_test_id("quick-note")
    quick.locator("textarea").fill("客户要求下周一回电，咨询大额存单")
    Session.objects.all().delete()  # the idle timeout passed on the server while the teller typed
    errors = watch_console(page)
    quick.locator("button[type=submit]").click()

    page.wait_for_url(f"{live_server.url}/login/**")
    expect(page.get_by_test_id("session-expired")).to_be_visible()
    page.fill("#id_username", "teller")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(url)  # back on the page the form was on: not the POST-only URL, no 405
    assert not [e for e in errors if e.startswith("405")]
    textarea = page.get_by_test_id("quick-note").locator("textarea")
    expect(textarea).to_have_value("客户要求下周一回电，咨询大额存单")
    expect(page.locator("#draft-restored")).to_be_visible()
    assert not Interaction.objects.exists()

    page.get_by_test_id("quick-note").locator("button[type=submit]").click()
    expect(page.get_by_test_id("recent-interactions")).to_contain_text("客户要求下周一回电")
    assert Interaction.objects.get(customer=customer).text == "客户要求下周一回电，咨询大额存单"
    page.reload()  # saved: the draft is gone
    expect(page.get_by_test_id("quick-note").locator("textarea")).to_have_value("")


def test_two_minutes_before_the_timeout_the_teller_is_asked_to_continue_and_the_session_kept(
        page_in, live_server, teller, customer, settings):
    # an idle timeout short enough that the warning (2 minutes before, counted from the worst case of a
    # timer refreshed once a minute) is due right away
    settings.SESSION_COOKIE_AGE = 185
    page = page_in("zh-CN")
    log_in(page, live_server)
    page.goto(f"/customers/{customer.customer_no}/")
    warning = page.locator("#session-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("2 分钟后自动退出，继续？")
    session = Session.objects.get()
    before = session.expire_date
    with page.expect_response(lambda r: r.url.endswith("/session/keep-alive/")) as answer:
        warning.locator("button").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    session.refresh_from_db()
    assert session.expire_date > before
