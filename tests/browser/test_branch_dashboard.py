"""The branch dashboard in the system Chromium, in Chinese: every chart is drawn, nothing breaks the CSP."""

import pytest
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from scoring.tests.factories import CustomerScoreFactory, ScoreRunFactory

from .test_teller_journey import log_in, watch_console

pytestmark = pytest.mark.django_db(transaction=True)

CANVASES = ["chart-tiers", "chart-aum", "chart-channels", "chart-self-service", "chart-categories", "chart-alerts"]


def test_a_manager_sees_every_chart_of_the_branch_dashboard_in_chinese(page_in, live_server, manager, branch,
                                                                       artifacts_dir):
    for n, tier in enumerate(["AAA", "AA", "A", "A", "B", "C"]):
        CustomerScoreFactory(customer=CustomerFactory(home_branch=branch), tier=tier,
                             alerts=[{"code": "dormant", "days": 200 + n}] if n % 2 else [])
    ScoreRunFactory()
    page = page_in("zh-CN")
    errors = watch_console(page)
    log_in(page, live_server, username="manager")
    page.goto("/scores/branch/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#total-customers")).to_have_text("6")
    for canvas in CANVASES:
        expect(page.locator(f"#{canvas}")).to_be_visible()
    drawn = page.evaluate("ids => ids.filter(id => Chart.getChart(document.getElementById(id)))", CANVASES)
    assert drawn == CANVASES
    assert page.evaluate("Chart.getChart(document.getElementById('chart-channels')).data.labels[0]") == "手机银行"
    page.screenshot(path=artifacts_dir / "branch-dashboard-zh.png", full_page=True)
    assert errors == []


def test_a_bar_of_the_alert_chart_opens_the_list_of_those_customers(page_in, live_server, manager, branch):
    CustomerScoreFactory(customer=CustomerFactory(home_branch=branch, full_name="欧阳娜娜"), tier="AAA",
                         alerts=[{"code": "dormant", "days": 200}])
    CustomerScoreFactory(customer=CustomerFactory(home_branch=branch), alerts=[{"code": "birthday", "days": 2}])
    ScoreRunFactory()
    page = page_in("zh-CN")
    errors = watch_console(page)
    log_in(page, live_server, username="manager")
    page.goto("/scores/branch/")
    chart = page.locator("#chart-alerts")
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    # the middle of the "dormant" bar, as Chart.js placed it
    x, y = page.evaluate("""() => {
      const chart = Chart.getChart(document.getElementById('chart-alerts'));
      const index = chart.data.labels.indexOf('休眠');
      const bar = chart.getDatasetMeta(0).data[index];
      const box = chart.canvas.getBoundingClientRect();
      return [box.left + (bar.x + bar.base) / 2, box.top + bar.y];
    }""")
    page.mouse.click(x, y)
    page.wait_for_url("**/scores/branch/alerts/dormant/")
    expect(page.locator("[data-testid=alert-customer]")).to_have_count(1)
    expect(page.locator("[data-testid=alert-customer] [data-tier=AAA]")).to_be_visible()
    expect(page.locator("[data-testid=alert-customer] a").first).to_have_text("欧阳**")
    assert errors == []
