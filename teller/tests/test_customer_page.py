"""The customer 360 page and its transactions partial."""


import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import AccessAction, AccessVia, CustomerAccessLog, Interaction
from customers.tests.factories import CustomerFactory
from transactions.models import Channel

from .builders import AUM, CARD_PAN, LOANS, transactions_create
from .pages import EMAIL, HTMX, MOBILE_WRITTEN, customer_url, order_in, transactions_url

pytestmark = pytest.mark.django_db

# --- the 360 page -------------------------------------------------------------------------------





def test_the_360_page_groups_holdings_by_product_kind_with_balances(teller_client, holder):
    response = teller_client.get(customer_url(holder.customer))
    assert response.status_code == 200
    html = response.content.decode()
    holdings = html[html.index('id="holdings"'):html.index('id="scores"')]
    for heading in ["Current account", "Savings account", "Time deposit", "Wealth management", "Mortgage",
                    "Personal loan"]:
        assert f"<h3>{heading}</h3>" in holdings
    for account in holder.accounts:
        assert account.account_no in holdings
    assert "Personal current account" in holdings  # the product's English name on an English page
    assert "CNY 12,345.67" in holdings
    assert "CNY 880,000.00" in holdings
    groups = response.context["holdings"].groups
    assert [a.product.kind for accounts in groups.values() for a in accounts] == list(groups)


def test_the_360_page_shows_aum_and_loan_totals(teller_client, holder):
    html = teller_client.get(customer_url(holder.customer)).content.decode()
    totals = re.search(r'<p class="totals" id="holdings-totals">(.*?)</p>', html, re.S).group(1)
    assert f'<strong id="aum-base">CNY {AUM:,.2f}</strong>' in totals
    assert f'<strong id="loans-base">CNY {LOANS:,.2f}</strong>' in totals


def test_the_360_page_masks_cards_to_the_first_six_and_last_four(teller_client, holder):
    html = teller_client.get(customer_url(holder.customer)).content.decode()
    assert "622848******0018" in html
    assert CARD_PAN not in html
    assert CARD_PAN[6:-4] not in html


def test_the_360_page_lists_recent_transactions_with_merchant_and_category(teller_client, holder):
    response = teller_client.get(customer_url(holder.customer))
    html = response.content.decode()
    panel = html[html.index('id="transactions-panel"'):html.index('id="interactions"')]
    assert "海底捞火锅(陆家嘴店)" in panel
    assert "<td>Dining</td>" in panel  # MCC 5812
    assert "<td>Groceries</td>" in panel  # MCC 5411
    assert "ATM取现" in panel  # no merchant: the description
    assert "Page 1 of 2" in panel
    page = response.context["transactions"]
    assert len(page) == 20
    times = [t.occurred_at for t in page]
    assert times == sorted(times, reverse=True)


def test_the_360_page_shows_the_service_notes_and_that_scores_are_not_computed(teller_client, holder):
    html = teller_client.get(customer_url(holder.customer)).content.decode()
    assert "听力不好，请大声说话" in html
    assert "Scores not computed yet." in html
    assert "No offers to pitch." in html


def test_the_360_page_never_shows_the_full_id_mobile_or_email(teller_client, holder):
    customer = holder.customer
    content = teller_client.get(customer_url(customer)).content
    html = content.decode()
    assert customer.id_number.encode() not in content
    for written in MOBILE_WRITTEN:
        assert written.encode() not in content, written
    assert EMAIL.encode() not in content
    assert customer.masked_id_number in html
    assert "139****5678" in html
    assert "z***@example.com" in html


def test_every_element_id_on_the_360_page_is_unique(teller_client, holder):
    """Labels point at their own form's fields (three forms on the page have a channel)."""
    html = teller_client.get(customer_url(holder.customer)).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids, target


def test_the_visit_panel_holds_every_part_with_an_empty_state_before_the_tabs(teller_client, holder):
    html = teller_client.get(customer_url(holder.customer)).content.decode()
    visit = html[html.index('id="this-visit"'):html.index('id="customer-tabs"')]
    for testid, empty in [("offers", "No offers to pitch."), ("alerts", "No alerts."),
                          ("recent-interactions", "No interactions yet."), ("consent-summary", "SMS: not asked")]:
        part = visit[visit.index(f'data-testid="{testid}"'):]
        assert empty in part[:1500], testid
    quick = visit[visit.index('data-testid="quick-note"'):]
    assert '<textarea name="text" id="quick_text"' in quick
    assert '<button type="submit">Save note</button>' in quick
    assert html.index('id="customer-header"') < html.index('id="this-visit"')


def test_the_header_flags_a_customer_of_another_branch(client_for, teller, other_branch):
    customer = CustomerFactory(home_branch=other_branch)
    html = client_for(teller).get(customer_url(customer)).content.decode()
    assert 'data-testid="other-branch"' in html
    assert other_branch.name in html[html.index('data-testid="other-branch"'):][:300]


def test_a_customer_of_ones_own_branch_is_not_flagged(teller_client, holder):
    assert 'data-testid="other-branch"' not in teller_client.get(customer_url(holder.customer)).content.decode()


def test_the_last_three_interactions_show_in_the_visit_panel_newest_first(teller_client, teller, holder):
    for n in range(5):
        Interaction.objects.create(customer=holder.customer, staff=teller, kind="note", channel="COUNTER",
                                   text=f"第{n}次来访", at=timezone.now() - dt.timedelta(days=5 - n))
    html = teller_client.get(customer_url(holder.customer)).content.decode()
    recent = html[html.index('data-testid="recent-interactions"'):html.index('data-testid="quick-note"')]
    assert re.findall(r"第(\d)次来访", recent) == ["4", "3", "2"]


def test_an_unknown_customer_number_is_not_found(teller_client, holder):
    assert teller_client.get(reverse("teller:customer", kwargs={"customer_no": "C999999999"})).status_code == 404


def test_opening_the_360_page_twice_within_the_dedup_window_writes_one_access_log_row(teller_client, teller, holder):
    customer = holder.customer
    teller_client.get(customer_url(customer))
    teller_client.get(customer_url(customer))
    rows = list(CustomerAccessLog.objects.filter(customer=customer))
    assert [(r.user, r.via, r.action, r.reason) for r in rows] == [(teller, AccessVia.PAGE, AccessAction.VIEW, "")]
    assert rows[0].ip_address == "127.0.0.1"


def test_each_opening_of_the_360_page_after_the_dedup_window_writes_a_row(teller_client, holder, settings):
    settings.ACCESS_LOG_DEDUP_MINUTES = 0
    teller_client.get(customer_url(holder.customer))
    teller_client.get(customer_url(holder.customer))
    assert CustomerAccessLog.objects.filter(customer=holder.customer).count() == 2


def test_the_home_page_lists_recently_served_customers_newest_first(teller_client, branch, manager, settings):
    settings.ACCESS_LOG_DEDUP_MINUTES = 0  # each opening on record
    first = CustomerFactory(full_name="欧阳娜娜", home_branch=branch)
    second = CustomerFactory(full_name="李娜", home_branch=branch)
    only_seen_by_manager = CustomerFactory(full_name="王芳", home_branch=branch)
    teller_client.get(customer_url(first))
    teller_client.get(customer_url(second))
    teller_client.get(customer_url(first))  # served again: first moves to the top
    CustomerAccessLog.objects.create(customer=only_seen_by_manager, user=manager, via=AccessVia.PAGE)
    response = teller_client.get(reverse("teller:home"))
    assert [row["customer"] for row in response.context["recent"]] == [first, second]
    html = response.content.decode()
    recent = html[html.index("Recently served"):]
    positions = order_in(recent, first.customer_no, second.customer_no)
    assert positions == sorted(positions)
    assert only_seen_by_manager.customer_no not in html
    assert first.mobile.removeprefix("+86") not in html


# --- the transactions partial: filters and paging ---------------------------------------------


def test_the_channel_filter_lists_only_that_channels_transactions(teller_client, holder):
    response = teller_client.get(transactions_url(holder.customer), {"channel": "POS"}, **HTMX)
    assert response.status_code == 200
    page = response.context["transactions"]
    assert len(page) > 0
    assert {t.channel for t in page} == {Channel.POS}
    html = response.content.decode()
    assert html.strip().startswith('<div id="transactions-panel">')
    assert "ATM取现" not in html
    assert '<option value="POS" selected>' in html


def test_the_date_filter_is_inclusive_in_local_dates(teller_client, holder):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    response = teller_client.get(transactions_url(holder.customer),
                                 {"date_from": yesterday.isoformat(), "date_to": yesterday.isoformat()})
    page = response.context["transactions"]
    assert len(page) > 0
    assert {timezone.localtime(t.occurred_at).date() for t in page} == {yesterday}


def test_filters_combine_and_survive_paging(teller_client, holder):
    transactions_create(holder=holder, count=140)  # 30 + 140: more than a page of POS
    response = teller_client.get(transactions_url(holder.customer), {"channel": "POS", "page": 2}, **HTMX)
    page = response.context["transactions"]
    assert page.number == 2
    assert {t.channel for t in page} == {Channel.POS}
    html = response.content.decode()
    assert "?channel=POS&amp;page=1" in html
    assert "?channel=POS&amp;page=3" in html


def test_transactions_are_paged_twenty_at_a_time(teller_client, holder):
    first = teller_client.get(transactions_url(holder.customer)).context["transactions"]
    second = teller_client.get(transactions_url(holder.customer), {"page": 2})
    page = second.context["transactions"]
    assert (len(first), len(page), page.paginator.count) == (20, 10, 30)
    assert not {t.pk for t in first} & {t.pk for t in page}
    assert "Page 2 of 2" in second.content.decode()
    assert "Newer" in second.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2025-02-30"}, "Enter a valid date."),
        ({"date_to": "yesterday"}, "Enter a valid date."),
        ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "The start date is after the end date."),
        ({"channel": "CARRIER_PIGEON"}, "Select a valid choice."),
    ],
)
def test_a_bad_filter_is_refused_with_a_message(teller_client, holder, params, message):
    response = teller_client.get(transactions_url(holder.customer), params, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert "<tbody>" not in html
