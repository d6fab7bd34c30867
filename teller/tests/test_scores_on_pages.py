"""Scores where the teller sees them: the 360 page's card, alerts and tier badge, the search rows, the 360 JSON."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory
from scoring.tests.factories import CustomerScoreFactory

from .pages import EMAIL, HTMX, MOBILE_WRITTEN, customer_url, search
from .test_page_access import MAX_QUERIES_360, MAX_QUERIES_SEARCH

pytestmark = pytest.mark.django_db

ALERTS = [
    {"code": "birthday", "days": 3, "date": "2026-12-01"},
    {"code": "kyc_due", "days": -8, "date": "2026-11-20"},
    {"code": "funds_leaving", "outflow": "52000.00", "aum": "126829.27"},
]


@pytest.fixture
def scored(holder):
    return CustomerScoreFactory(customer=holder.customer, tier="AAA", top_percent=Decimal("1.60"),
                                value_score=Decimal("93.40"), drivers=["aum", "card_spend"], alerts=ALERTS,
                                aum=Decimal("362345.67"), annual_revenue=Decimal("5435.19"))


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end)]


def test_the_360_page_shows_the_tier_next_to_the_name(teller_client, scored):
    html = teller_client.get(customer_url(scored.customer)).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "张伟" in heading
    assert '<span class="tier tier-AAA" data-tier="AAA">AAA</span>' in heading


def test_the_scores_card_explains_the_tier_and_shows_the_figures(teller_client, scored):
    html = teller_client.get(customer_url(scored.customer)).content.decode()
    card = _section(html, 'id="scores"', 'id="charts"')
    assert "AAA: top 2 % by AUM and card spend" in card
    assert "<strong>93</strong>/100" in card
    assert "Scores as of" in card
    assert "CNY 362,345.67" in card  # AUM
    assert "CNY 5,435.19" in card  # estimated annual revenue
    assert "3 days ago" in card  # recency
    assert "Mobile banking" in card  # the inferred preferred channel
    assert "Evening (18–23)" in card
    assert '<meter min="0" max="1" value="0.9000">' in card
    assert "×2.94 vs all customers" in card  # dining's lift
    assert "Scores not computed yet." not in html
    assert 'data-testid="offers"' in html  # the campaigns part moved to the visit panel, and stays


def test_the_alerts_strip_gives_each_reason_most_urgent_first(teller_client, scored):
    html = teller_client.get(customer_url(scored.customer)).content.decode()
    strip = _section(html, 'id="alerts"', 'id="holdings"')
    texts = re.findall(r'<li class="alert-badge alert-(\w+)"[^>]*>(.*?)</li>', strip)
    assert texts == [("high", "Net outflow CNY 52,000.00 in 30 days: 41 % of AUM"),
                     ("warn", "KYC review overdue by 8 days"),
                     ("info", "Birthday in 3 days (1 December)")]


def test_the_scores_leave_the_masks_intact(teller_client, scored):
    customer = scored.customer
    content = teller_client.get(customer_url(customer)).content
    assert customer.id_number.encode() not in content
    for written in MOBILE_WRITTEN:
        assert written.encode() not in content, written
    assert EMAIL.encode() not in content


def test_without_scores_the_page_says_so_and_shows_no_badge(teller_client, holder):
    html = teller_client.get(customer_url(holder.customer)).content.decode()
    assert "Scores not computed yet." in html
    assert "No alerts." in html
    assert 'class="tier ' not in html


def test_the_360_page_with_scores_stays_under_the_query_bound(teller_client, scored,
                                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES_360):
        assert teller_client.get(customer_url(scored.customer)).status_code == 200


# --- search rows ----------------------------------------------------------------------------------------


def test_each_search_row_shows_the_customers_tier(teller_client, branch):
    gold = CustomerScoreFactory(customer=CustomerFactory(full_name="张伟", home_branch=branch), tier="AA").customer
    plain = CustomerFactory(full_name="张伟", home_branch=branch)
    for headers in ({}, HTMX):
        html = search(teller_client, "张伟", **headers).content.decode()
        rows = dict(re.findall(r'data-href="/customers/(\w+)/".*?<td>(<span class="tier[^<]*</span>|—)</td>\s*<td>',
                               html, re.S))
        assert rows[gold.customer_no] == '<span class="tier tier-AA" data-tier="AA">AA</span>'
        assert rows[plain.customer_no] == "—"


def test_tiers_cost_one_query_for_a_full_page_of_results(teller_client, branch, other_branch,
                                                         django_assert_max_num_queries):
    for n in range(25):
        CustomerScoreFactory(customer=CustomerFactory(full_name="张伟", home_branch=branch if n % 2 else other_branch),
                             tier=["AAA", "AA", "A", "B", "C"][n % 5])
    with django_assert_max_num_queries(MAX_QUERIES_SEARCH):
        response = search(teller_client, "张伟", **HTMX)
    assert all(c.tier for c in response.context["result"].customers)


def test_an_exact_identifier_still_opens_the_customer_directly(teller_client, scored):
    response = search(teller_client, scored.customer.customer_no)
    assert response.status_code == 303
    assert response["Location"] == customer_url(scored.customer)


# --- the 360 as JSON ------------------------------------------------------------------------------------


def _json(client, customer, **headers):
    return client.get(reverse("teller-api:customer-360", kwargs={"customer_no": customer.customer_no}),
                      **headers).json()


def test_the_360_json_has_the_scores_with_decimal_strings(client_for, teller, scored):
    body = _json(client_for(teller), scored.customer)
    scores = body["scores"]
    assert body["customer"]["tier"] == "AAA"
    assert (scores["tier"], scores["value_score"], scores["top_percent"]) == ("AAA", "93.40", "1.60")
    assert (scores["aum"], scores["annual_revenue"], scores["loan_balance"]) == ("362345.67", "5435.19", "0.00")
    assert scores["explanation"] == "AAA: top 2 % by AUM and card spend"
    assert scores["drivers"] == ["aum", "card_spend"]
    assert scores["self_service_ratio"] == "0.9000"
    assert scores["channel_mix"][0] == {"code": "MOBILE", "label": "Mobile banking", "share": "0.6000"}
    assert scores["top_categories"][0] == {"code": "DINING", "label": "Dining", "share": "0.5000", "lift": "2.94"}
    assert scores["computed_at"].startswith(str(scored.computed_at.year))
    assert "share_text" not in scores["channel_mix"][0]  # page-only conveniences stay off the API


def test_the_360_json_has_the_alerts_with_code_reason_and_params(client_for, teller, scored):
    alerts = _json(client_for(teller), scored.customer)["alerts"]
    assert [a["code"] for a in alerts] == ["funds_leaving", "kyc_due", "birthday"]
    assert alerts[2] == {"code": "birthday", "label": "Birthday soon", "severity": "info",
                         "text": "Birthday in 3 days (1 December)", "params": {"days": 3, "date": "2026-12-01"}}


def test_the_360_json_explains_in_the_requests_language(client_for, teller, scored):
    body = _json(client_for(teller), scored.customer, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert body["scores"]["explanation"] == "AAA：按资产规模和刷卡消费排名前 2%"
    assert body["scores"]["channel_mix"][0]["label"] == "手机银行"
    assert body["alerts"][0]["text"] == "30 天内净流出 ¥52,000.00，占资产规模的 41%"


def test_the_360_page_in_chinese_shows_the_chinese_reasons(teller_client, scored):
    html = teller_client.get(customer_url(scored.customer), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "AAA：按资产规模和刷卡消费排名前 2%" in html
    assert "KYC 复核已逾期 8 天" in html
    assert "3 天后生日（12月1日）" in html
