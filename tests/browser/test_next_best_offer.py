"""The teller sees the next-best offers on the 360 page, with their reasons, and records an answer."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from campaigns.models import ContactResponse, ContactSource
from customers.models import Customer
from propensity.services import propensity_train
from propensity.tests.population import population_build

from .test_teller_journey import log_in, watch_console

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_360_page_shows_next_best_offers_and_records_the_answer(page_in, live_server, teller, branch):
    population = population_build(size=600, rule="mortgage", branch=branch, prefix="PW")
    propensity_train(product=population.product, min_contacts=200, min_conversions=20)
    holder = Customer.objects.get(pk=Account.objects.filter(product=population.mortgage)
                                  .values_list("customer_id", flat=True).first())
    page = page_in("zh-CN")
    errors = watch_console(page)
    log_in(page, live_server)
    page.goto(f"/customers/{holder.customer_no}/")
    offers = page.get_by_test_id("next-best-offers")
    expect(offers).to_contain_text("下一步推荐")
    offer = page.locator(f'[data-testid="next-best-offer"][data-product="{population.product.code}"]')
    expect(offer).to_contain_text("稳健理财")
    expect(offer).to_contain_text("持有住房贷款")
    offer.get_by_role("button", name="有兴趣").click()
    expect(page.get_by_test_id("next-best-offer-recorded")).to_be_visible()
    assert ContactResponse.objects.filter(customer=holder, source=ContactSource.NEXT_BEST_OFFER,
                                          outcome="interested").exists()
    assert errors == []
