"""Two-factor sign-in in the system Chromium: a manager whose role requires it enrols with the page's secret,
keeps the recovery codes, reaches the admin, and signs in again with a recovery code."""

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser.test_teller_journey import watch_console

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_enrols_reaches_the_admin_and_signs_in_again_with_a_recovery_code(
        page_in, live_server, manager, settings, artifacts_dir):
    settings.MFA_REQUIRED_ROLES = ["admin", "manager"]
    page = page_in("zh-CN")
    errors = watch_console(page)

    page.goto("/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/account/two-factor/")  # the role requires a code: enrol first
    expect(page.locator("h1")).to_have_text("两步验证登录")
    qr = page.locator("main img")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the QR code is drawn (data: image under the CSP)
    page.screenshot(path=str(artifacts_dir / "two-factor-enrol.png"), full_page=True)

    secret = page.locator("main p code").first.inner_text().replace(" ", "")
    code = TOTP(base64.b32decode(secret)).token()
    page.fill("#id_code", f"{code:06d}")
    page.click("main button.primary")  # signed in: the session warning's button is in the page too
    codes = page.locator("ul.recovery-codes li")
    expect(codes).to_have_count(10)
    recovery = codes.first.inner_text().strip()

    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()

    page.goto("/")
    page.locator("form[action='/logout/'] button").click()
    page.goto("/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/login/verify/")
    page.fill("#id_code", recovery)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".who")).to_contain_text("Manager")
    assert errors == []
