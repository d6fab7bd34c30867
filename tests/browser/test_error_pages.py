"""403 and 404 in the browser are the site's pages, in the reader's language, with the navigation."""

import pytest
from playwright.sync_api import expect

from .test_teller_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("language", "reason", "not_found"), [
    ("zh-CN", "柜员无权查看网点看板，请联系网点经理。", "找不到该页面"),
    ("en-US", "Teller may not open the branch dashboard. Ask your branch manager.", "Page not found"),
], ids=["zh-hans", "en"])
def test_a_teller_sees_the_sites_403_and_404_pages(page_in, live_server, teller, artifacts_dir, language, reason,
                                                     not_found):
    page = page_in(language)
    log_in(page, live_server)
    response = page.goto("/scores/branch/")
    assert response.status == 403
    error = page.get_by_test_id("error-page")
    expect(error).to_contain_text(reason)
    expect(page.locator("nav.mainnav")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / f"error-403-{language}.png"))
    page.get_by_role("link", name="回到首页" if language == "zh-CN" else "Go to the home page").click()
    page.wait_for_url(f"{live_server.url}/")

    response = page.goto("/customers/C999999999/")
    assert response.status == 404
    expect(page.get_by_test_id("error-page")).to_contain_text(not_found)
    expect(page.locator("nav.mainnav")).to_be_visible()
