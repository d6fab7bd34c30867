"""Playwright driving the system Chromium against pytest-django's live server."""

import os
from pathlib import Path

import pytest

from conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _reference_data(reference_data):
    """Browser tests are transactional (the live server thread must see their data)."""


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-wqy-microhei")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_in(browser, live_server):
    """page_in(language): a fresh browser context whose Accept-Language is that language."""
    contexts = []

    def make(language="zh-CN"):
        # a counter's screen
        context = browser.new_context(locale=language, viewport={"width": 1366, "height": 768},
                                      base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def axe_page(browser, live_server):
    """axe_page(language, username): a signed-in page at 1366×768 that can inject axe-core (CSP bypassed)."""
    contexts = []

    def make(language, username):
        context = browser.new_context(locale=language, viewport={"width": 1366, "height": 768},
                                      base_url=live_server.url, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
