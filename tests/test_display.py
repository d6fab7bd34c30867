"""Chinese done right, and English too: names, large amounts, shares, codes as words."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from campaigns.tests.factories import CampaignFactory
from crm_site.display import amount_short_text, language_name, percent, person_name_text, user_display_name
from customers.tests.factories import CustomerFactory
from scoring.tests.factories import CustomerScoreFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.mark.parametrize(("first", "last", "zh", "en"), [
    ("淑珍", "季", "季淑珍", "季淑珍"),  # Chinese characters: family name first, no space, in either language
    ("Shuzhen", "Ji", "Ji Shuzhen", "Shuzhen Ji"),
    ("淑珍", "", "淑珍", "淑珍"),
])
def test_a_persons_name_reads_family_name_first_in_chinese_and_given_name_first_in_english(first, last, zh, en):
    assert person_name_text(first_name=first, last_name=last, language="zh-hans") == zh
    assert person_name_text(first_name=first, last_name=last, language="en") == en


def test_a_user_without_a_name_is_shown_by_username():
    user = get_user_model()(username="teller7")
    assert user_display_name(user) == "teller7"


@pytest.mark.parametrize(("amount", "zh", "en"), [
    ("667000000", "6.67 亿", "667,000,000.00"),
    ("125000", "12.50 万", "125,000.00"),
    ("9999.5", "9,999.50", "9,999.50"),
    ("-250000", "-25.00 万", "-250,000.00"),
])
def test_large_amounts_read_in_wan_and_yi_in_chinese(amount, zh, en):
    assert amount_short_text(Decimal(amount), language="zh-hans") == zh
    with translation.override("en"):
        assert amount_short_text(Decimal(amount), language="en") == en


def test_a_share_is_shown_as_a_percentage():
    assert percent(Decimal("0.1")) == "10 %"
    assert percent(None) == "—"


def test_a_language_code_is_shown_as_its_name():
    with translation.override("zh-hans"):
        assert language_name("zh-hans") == "简体中文"
        assert language_name("en") == "英文"
    with translation.override("en"):
        assert language_name("en") == "English"


@pytest.mark.django_db
def test_staff_names_read_family_name_first_on_the_chinese_pages(client_for, teller):
    teller.first_name, teller.last_name = "淑珍", "季"
    teller.save(update_fields=["first_name", "last_name"])
    html = client_for(teller).get(reverse("teller:home"), **ZH).content.decode()
    assert "季淑珍" in html
    assert "淑珍 季" not in html


@pytest.mark.django_db
def test_the_campaign_list_calls_the_column_a_name_not_a_persons_name(client_for, manager, branch):
    CampaignFactory(branch=branch, created_by=manager)
    html = client_for(manager).get(reverse("campaigns:list"), **ZH).content.decode()
    assert "<th>名称</th>" in html


def test_a_lift_without_spread_says_there_are_not_enough_customers():
    with translation.override("zh-hans"):
        html = render_to_string("campaigns/_lift.html", {"lift": {"absolute": Decimal("0"), "ci_low": Decimal("0"),
                                                                  "ci_high": Decimal("0"), "relative": None,
                                                                  "method": "", "significant": False}})
    assert "样本不足" in html
    assert "0.00" not in html


def test_the_lift_method_is_named_in_the_readers_language():
    lift = {"absolute": Decimal("10"), "ci_low": Decimal("4.2"), "ci_high": Decimal("15.8"), "relative": None,
            "method": "difference of proportions, normal approximation (Wald), 95 %", "significant": True}
    with translation.override("zh-hans"):
        html = render_to_string("campaigns/_lift.html", {"lift": lift})
    assert "Wald 法" in html
    assert "difference of proportions" not in html


@pytest.mark.django_db
def test_the_dashboard_shows_the_aum_total_in_wan_in_chinese(client_for, manager, branch):
    CustomerScoreFactory(customer=CustomerFactory(home_branch=branch), aum=Decimal("66700000.00"))
    html = client_for(manager).get(reverse("scoring:branch-dashboard"), **ZH).content.decode()
    total = html[html.index('id="total-aum"'):][:80]
    assert "¥6,670.00 万" in total
