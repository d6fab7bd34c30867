"""The admin keeps profiles right, in the system Chromium: find, edit the mobile, read the diff, merge a pair."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from customers.models import Customer, CustomerMerge
from customers.tests.factories import CustomerFactory, resident_id
from tests.browser.test_teller_journey import log_in, watch_console

pytestmark = pytest.mark.django_db(transaction=True)

BORN = dt.date(1985, 6, 15)


@pytest.fixture
def profiles(branch):
    lina = CustomerFactory(home_branch=branch, full_name="李娜", mobile="13812345678",
                           date_of_birth=dt.date(1990, 1, 2))
    older = CustomerFactory(home_branch=branch, full_name="张伟", date_of_birth=BORN, id_number="",
                            mobile="13800000001")
    newer = CustomerFactory(home_branch=branch, full_name="章伟", date_of_birth=BORN, mobile="13900000002",
                            id_number=resident_id(BORN, sequence=42))
    return lina, older, newer


def test_an_admin_finds_a_customer_edits_the_mobile_reads_the_diff_and_merges_a_duplicate(
        page_in, live_server, admin_user, profiles, artifacts_dir):
    lina, older, newer = profiles
    page = page_in("en-US")
    errors = watch_console(page)
    log_in(page, live_server, username="admin")

    # find the customer with the teller's one-box search, by pinyin
    page.goto("/admin/customers/customer/")
    page.fill("#searchbar", "lina")
    page.keyboard.press("Enter")
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("138****5678")  # masked in the list
    results.first.locator("a").first.click()

    # edit the mobile: the change goes through the services
    page.fill("#id_mobile", "139 8765 4321")
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist")).to_be_visible()
    assert Customer.objects.get(pk=lina.pk).mobile == "+8613987654321"

    # the history shows who, via what, and the field's old → new
    page.goto(f"/admin/customers/customer/{lina.pk}/history/")
    change = page.locator("#profile-history tr.history-entry").first
    # via: the entry point by its name, not the stored code
    expect(change.locator("td").nth(2)).to_have_text(re.compile(r"^(Administration|后台管理)$"))
    expect(change.locator('li[data-field="mobile"]')).to_contain_text("+8613812345678")
    expect(change.locator('li[data-field="mobile"] ins')).to_have_text("+8613987654321")
    page.screenshot(path=str(artifacts_dir / "admin-history.png"), full_page=True)

    # the likely duplicates: 张伟 and 章伟 sound alike and share a birth date
    page.goto("/admin/customers/customer/duplicates/")
    pair = page.locator(f'tr.duplicate-pair[data-pair="{older.customer_no} {newer.customer_no}"]')
    expect(pair).to_contain_text("similar name (pinyin) and same date of birth")
    pair.get_by_role("link", name="Compare and merge").click()

    # keep the older profile, take the newer one's ID document and mobile
    form = page.locator("#merge-form")
    form.locator('input[name=survivor][value="a"]').check()
    form.locator('input[name=field_id_document][value="b"]').check()
    form.locator('input[name=field_mobile][value="b"]').check()
    form.locator('input[name=field_full_name][value="a"]').check()
    form.locator("input[type=submit]").click()
    expect(page.locator("#merge-moving")).to_be_visible()
    assert not CustomerMerge.objects.exists()
    page.locator("#merge-confirm-form input[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/customers/customer/{older.pk}/change/$"))
    expect(page.locator("ul.messagelist")).to_contain_text(newer.customer_no)

    survivor = Customer.objects.get(pk=older.pk)
    assert (survivor.full_name, survivor.mobile, survivor.id_number) == ("张伟", "+8613900000002", newer.id_number)
    assert Customer.objects.get(pk=newer.pk).merged_into_id == older.pk

    # the old customer number leads to the survivor's 360
    page.goto(f"/customers/{newer.customer_no}/")
    page.wait_for_url(f"{live_server.url}/customers/{older.customer_no}/")
    expect(page.locator("h1")).to_contain_text("张伟")
    page.screenshot(path=str(artifacts_dir / "admin-merged.png"), full_page=True)

    # who opened the survivor: the admin, in the admin and on the 360 page (the merged profile's views moved)
    page.goto(f"/access/customers/{older.customer_no}/")
    record = page.locator("table.access-record tbody tr")
    expect(record.first).to_contain_text("Admin")
    expect(page.locator("[data-testid=access-csv]")).to_have_attribute("href", re.compile(older.customer_no))
    page.screenshot(path=str(artifacts_dir / "admin-access-record.png"), full_page=True)
    assert errors == []
