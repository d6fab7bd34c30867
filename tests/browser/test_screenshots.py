"""Screenshots of the main pages at a counter's screen (1366×768), written to test-artifacts/ for review.

Each page is checked to be the page asked for (its own heading, no error page) before it is captured.
"""

import pytest
from playwright.sync_api import expect

from campaigns.models import CampaignStatus
from campaigns.tests.factories import CampaignFactory
from scoring.tests.factories import CustomerScoreFactory
from teller.tests.builders import CARD_PAN, customer_with_holdings

from .test_teller_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(branch, manager):
    holder = customer_with_holdings(branch=branch, card_pan=CARD_PAN, transactions=30, full_name="季淑珍",
                                    mobile="+8613912345678", email="ji.shuzhen@example.com",
                                    service_notes="听力不好，请大声说话")
    CustomerScoreFactory(customer=holder.customer, tier="AAA")
    campaign = CampaignFactory(branch=branch, created_by=manager, status=CampaignStatus.COMPLETED, name="五一理财推广")
    return {"customer": holder.customer, "campaign": campaign}


@pytest.mark.parametrize("language", ["zh-CN", "en-US"], ids=["zh-hans", "en"])
def test_screenshots_of_the_main_pages(page_in, live_server, teller, manager, admin_user, scene, artifacts_dir,
                                       language):
    customer, campaign = scene["customer"], scene["campaign"]
    shots = [
        ("teller", f"/customers/{customer.customer_no}/", "customer-360", "#customer-header h1"),
        ("manager", "/", "manager-home", "[data-testid=work-queue]"),
        ("manager", "/scores/branch/", "branch-dashboard", "main h1"),
        ("manager", "/campaigns/new/", "campaign-builder", "main h1"),
        ("manager", f"/campaigns/{campaign.pk}/results/", "campaign-results", "main h1"),
        ("admin", f"/admin/customers/customer/{customer.pk}/change/", "admin-customer", "#content h1"),
    ]
    pages = {}
    for role, url, name, heading in shots:
        if role not in pages:
            pages[role] = page_in(language)
            log_in(pages[role], live_server, role)
        page = pages[role]
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.locator(heading).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(artifacts_dir / f"{name}-{language}.png"))
