"""The audience keys of DESIGN §7, each on a small crafted population; exclusions and channel choice."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.audience import (
    audience_clean,
    audience_customers,
    audience_decisions,
    audience_decisions_sql,
    audience_preview,
)
from campaigns.audience.selection import named_params
from campaigns.exceptions import CampaignInvalid
from campaigns.models import CampaignRecipient, RecipientStatus
from customers.models import Customer

from .factories import CampaignFactory, consent, customer_with, holding, score_for

TODAY = dt.date(2025, 6, 1)
NOW = dt.datetime(2025, 6, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def selected(audience: dict, scope=None) -> set[str]:
    cleaned = audience_clean(audience, scope=scope)
    return set(audience_customers(cleaned, scope=scope, today=TODAY).values_list("full_name", flat=True))


def person(branch, name, **fields):
    if "date_of_birth" in fields and fields["date_of_birth"] is None:
        fields["id_number"] = ""
    return customer_with(branch=branch, full_name=name, consents=(), **fields)


@pytest.mark.django_db
class TestEachKey:
    def test_age_range_counts_whole_years_on_the_day(self, branch):
        person(branch, "六十四", date_of_birth=dt.date(1960, 6, 2))  # 65 tomorrow: still 64
        person(branch, "六十五", date_of_birth=dt.date(1960, 6, 1))  # 65 today
        person(branch, "三十五", date_of_birth=dt.date(1990, 1, 1))
        person(branch, "二十四", date_of_birth=dt.date(2000, 12, 31))
        person(branch, "无生日", date_of_birth=None)
        assert selected({"age_min": 30, "age_max": 64}) == {"六十四", "三十五"}
        assert selected({"age_min": 65}) == {"六十五"}
        assert selected({"age_max": 24}) == {"二十四"}

    def test_aum_range_reads_the_score(self, branch):
        for name, aum in (("十万", "100000.00"), ("五万", "50000.00"), ("一万", "10000.00")):
            score_for(person(branch, name), aum=Decimal(aum))
        person(branch, "无评分")
        assert selected({"aum_min": "50000", "aum_max": "100000.00"}) == {"十万", "五万"}
        assert selected({"aum_max": "10000"}) == {"一万"}

    def test_value_tiers(self, branch):
        for name, tier in (("甲", "AAA"), ("乙", "AA"), ("丙", "B")):
            score_for(person(branch, name), tier=tier)
        person(branch, "无评分")
        assert selected({"value_tiers": ["aaa", "AA"]}) == {"甲", "乙"}

    def test_segments(self, branch):
        for name, segment in (("大众", "MASS"), ("富裕", "AFFLUENT"), ("私行", "PRIVATE")):
            person(branch, name, segment=segment)
        assert selected({"segments": ["AFFLUENT", "PRIVATE"]}) == {"富裕", "私行"}

    def test_branches_for_a_bank_wide_campaign(self, branch, other_branch):
        person(branch, "上海一")
        person(branch, "上海二")
        person(other_branch, "北京一")
        assert selected({"branches": ["BJ001"]}) == {"北京一"}
        assert selected({}) == {"上海一", "上海二", "北京一"}

    def test_a_branch_scope_keeps_to_its_own_customers(self, branch, other_branch):
        person(branch, "上海一")
        person(other_branch, "北京一")
        assert selected({}, scope=branch) == {"上海一"}
        assert selected({"branches": ["SH001"]}, scope=branch) == {"上海一"}

    def test_cities_and_gender(self, branch):
        person(branch, "沪男", city="上海市", gender="M")
        person(branch, "沪女", city="上海市", gender="F")
        person(branch, "京女", city="北京市", gender="F")
        assert selected({"cities": ["上海市"]}) == {"沪男", "沪女"}
        assert selected({"gender": "f"}) == {"沪女", "京女"}
        assert selected({"cities": ["上海市"], "gender": "F"}) == {"沪女"}  # all given keys must hold

    def test_product_kinds_held_and_lacked_count_open_accounts_only(self, branch, product):
        from accounts.tests.factories import ProductFactory

        card = ProductFactory(code="CC", kind="CREDIT_CARD")
        savings = ProductFactory(code="SV", kind="SAVINGS")
        holding(person(branch, "有卡"), card)
        holding(person(branch, "销卡"), card, status="CLOSED", closed_at=dt.date(2024, 1, 1))
        holding(person(branch, "储蓄"), savings)
        assert selected({"holds_product_kinds": ["CREDIT_CARD"]}) == {"有卡"}
        assert selected({"lacks_product_kinds": ["CREDIT_CARD"]}) == {"销卡", "储蓄"}
        assert selected({"holds_product_kinds": ["SAVINGS", "CREDIT_CARD"]}) == {"有卡", "储蓄"}

    def test_preferred_channels(self, branch):
        person(branch, "短信", preferred_contact_channel="SMS")
        person(branch, "应用", preferred_contact_channel="APP")
        person(branch, "未说")
        assert selected({"preferred_channels": ["SMS"]}) == {"短信"}

    def test_category_share_reads_the_score(self, branch):
        score_for(person(branch, "爱旅行"), category_shares={"TRAVEL": 0.3, "DINING": 0.7})
        score_for(person(branch, "少旅行"), category_shares={"TRAVEL": 0.1})
        score_for(person(branch, "无旅行"), category_shares={"DINING": 1.0})
        person(branch, "无评分")
        assert selected({"category": {"code": "TRAVEL", "min_share": "0.2"}}) == {"爱旅行"}
        assert selected({"category": {"code": "travel", "min_share": "0.1"}}) == {"爱旅行", "少旅行"}
        assert selected({"category": {"code": "TRAVEL", "min_share": "0"}}) == {"爱旅行", "少旅行", "无旅行"}

    def test_inactive_days_counts_never_active_as_inactive(self, branch):
        score_for(person(branch, "久未来"), recency_days=200)
        score_for(person(branch, "常来"), recency_days=30)
        score_for(person(branch, "从未"), recency_days=None)
        person(branch, "无评分")
        assert selected({"inactive_days_min": 180}) == {"久未来", "从未"}

    def test_self_service_ratio_max(self, branch):
        score_for(person(branch, "柜台派"), self_service_ratio=Decimal("0.2"))
        score_for(person(branch, "自助派"), self_service_ratio=Decimal("0.8"))
        score_for(person(branch, "未知"), self_service_ratio=None)
        person(branch, "无评分")
        assert selected({"self_service_ratio_max": "0.5"}) == {"柜台派"}

    def test_closed_deceased_and_merged_customers_are_never_reached(self, branch):
        person(branch, "在")
        person(branch, "销户", status="CLOSED")
        person(branch, "身故", status="DECEASED")
        survivor = person(branch, "合并后")
        merged = person(branch, "被合并")
        if any(f.name == "merged_into" for f in Customer._meta.get_fields()):
            Customer.objects.filter(pk=merged.pk).update(merged_into=survivor)
            assert selected({}) == {"在", "合并后"}
        else:  # pragma: no cover - before the merge work lands
            assert selected({}) == {"在", "合并后", "被合并"}


class TestValidation:
    @pytest.mark.parametrize(("audience", "key"), [
        ({"colour": "red"}, "audience.colour"),
        ({"age_min": "thirty"}, "audience.age_min"),
        ({"age_min": 30.5}, "audience.age_min"),
        ({"age_min": 70, "age_max": 60}, "audience.age_max"),
        ({"aum_min": "12.345"}, "audience.aum_min"),
        ({"aum_min": "abc"}, "audience.aum_min"),
        ({"aum_min": 1000.5}, "audience.aum_min"),
        ({"aum_min": "NaN"}, "audience.aum_min"),
        ({"value_tiers": ["AAAA"]}, "audience.value_tiers"),
        ({"value_tiers": "AAA"}, "audience.value_tiers"),
        ({"segments": ["VIP"]}, "audience.segments"),
        ({"branches": ["XX999"]}, "audience.branches"),
        ({"holds_product_kinds": ["YACHT"]}, "audience.holds_product_kinds"),
        ({"lacks_product_kinds": ["WEALTH"], "holds_product_kinds": ["WEALTH"]}, "audience.lacks_product_kinds"),
        ({"preferred_channels": ["FAX"]}, "audience.preferred_channels"),
        ({"gender": "X"}, "audience.gender"),
        ({"category": {"code": "YACHTS", "min_share": "0.1"}}, "audience.category.code"),
        ({"category": {"code": "TRAVEL", "min_share": "1.5"}}, "audience.category.min_share"),
        ({"category": {"code": "TRAVEL", "min_share": "0.1", "extra": 1}}, "audience.category.extra"),
        ({"inactive_days_min": -1}, "audience.inactive_days_min"),
        ({"self_service_ratio_max": "2"}, "audience.self_service_ratio_max"),
    ])
    def test_a_bad_key_is_refused_with_a_message_for_that_key(self, db, branch, audience, key):
        with pytest.raises(CampaignInvalid) as caught:
            audience_clean(audience, scope=None)
        assert key in caught.value.errors, caught.value.errors
        assert all(isinstance(m, str) and m for m in caught.value.errors[key])

    def test_a_branch_outside_the_managers_scope_is_refused(self, branch, other_branch):
        with pytest.raises(CampaignInvalid) as caught:
            audience_clean({"branches": ["BJ001"]}, scope=branch)
        assert "SH001" in caught.value.errors["audience.branches"][0]

    def test_the_normalised_audience_is_what_is_stored(self, db, branch):
        cleaned = audience_clean({"aum_min": 50000, "value_tiers": ["aa", "AA", "aaa"], "cities": [],
                                  "category": {"code": "travel", "min_share": "0.2"}, "gender": "f"}, scope=None)
        assert cleaned == {"aum_min": "50000.00", "value_tiers": ["AA", "AAA"], "gender": "F",
                           "category": {"code": "TRAVEL", "min_share": "0.2000"}}


@pytest.mark.django_db
class TestExclusions:
    def _population(self, branch, product):
        first = customer_with(branch=branch, full_name="持有", consents=("SMS",), do_not_contact=True)
        holding(first, product)  # holds it AND do-not-contact: the first reason wins
        customer_with(branch=branch, full_name="勿扰", consents=("SMS",), do_not_contact=True)
        customer_with(branch=branch, full_name="只邮件", consents=("EMAIL",))
        revoked = customer_with(branch=branch, full_name="撤回", consents=("SMS",))
        consent(revoked, "SMS", False, at=timezone.now() + dt.timedelta(seconds=1))
        capped = customer_with(branch=branch, full_name="已满", consents=("SMS",))
        not_capped = customer_with(branch=branch, full_name="旧联系", consents=("SMS",))
        for customer, days_ago in ((capped, 1), (capped, 29), (not_capped, 1), (not_capped, 31)):
            CampaignRecipient.objects.create(campaign=CampaignFactory(product=product),
                                             customer=customer, channel="SMS", status=RecipientStatus.SENT,
                                             sent_at=NOW - dt.timedelta(days=days_ago))
        customer_with(branch=branch, full_name="可联系", consents=("SMS",))

    def test_each_customer_is_counted_once_under_the_first_reason(self, branch, product):
        self._population(branch, product)
        preview = audience_preview(audience={}, scope=branch, product=product, channels=["SMS"],
                                   frequency_cap=2, now=NOW)
        assert preview["excluded"] == {"holds_product": 1, "do_not_contact": 1, "no_consent": 2,
                                       "frequency_cap": 1}
        assert preview["eligible"] == 2  # 旧联系 (one contact inside 30 days) and 可联系
        assert preview["by_channel"] == {"SMS": 2}
        assert {row["name"] for row in preview["sample"]} == {"旧联系", "可联系"}
        assert all("****" in row["masked_mobile"] for row in preview["sample"])

    def test_counter_needs_no_consent_but_do_not_contact_still_applies(self, branch, product):
        self._population(branch, product)
        preview = audience_preview(audience={}, scope=branch, product=product, channels=["SMS", "COUNTER"],
                                   frequency_cap=2, now=NOW)
        assert preview["excluded"]["no_consent"] == 0
        assert preview["excluded"]["do_not_contact"] == 1
        assert preview["by_channel"] == {"SMS": 2, "COUNTER": 2}  # 只邮件 and 撤回 go to the counter


@pytest.mark.django_db
def test_channel_is_the_preferred_one_if_consented_and_chosen_else_the_first_consented(branch, product):
    customer_with(branch=branch, full_name="爱短信", consents=("SMS", "EMAIL"), preferred_contact_channel="SMS")
    customer_with(branch=branch, full_name="爱应用", consents=("SMS", "EMAIL"), preferred_contact_channel="APP")
    revoked = customer_with(branch=branch, full_name="短信撤回", consents=("SMS", "EMAIL"),
                            preferred_contact_channel="SMS")
    consent(revoked, "SMS", False, at=timezone.now() + dt.timedelta(seconds=1))
    customer_with(branch=branch, full_name="无同意", consents=())
    customer_with(branch=branch, full_name="电话", consents=("PHONE",), preferred_contact_channel="PHONE")
    decisions = audience_decisions(audience={}, scope=branch, product=product, channels=["EMAIL", "SMS", "COUNTER"],
                                   frequency_cap=2, now=NOW)
    names = dict(Customer.objects.values_list("pk", "full_name"))
    assert {names[pk]: channel for pk, (channel, _exclusion) in decisions.items()} == {
        "爱短信": "SMS", "爱应用": "EMAIL", "短信撤回": "EMAIL", "无同意": "COUNTER", "电话": "COUNTER"}


def test_named_params_renames_django_placeholders_and_keeps_literal_percents():
    sql, params = named_params("SELECT %s, '100%%' WHERE a = %s", [1, "x"], prefix="c")
    assert sql == "SELECT %(c_0)s, '100%%' WHERE a = %(c_1)s"
    assert params == {"c_0": 1, "c_1": "x"}
    with pytest.raises(ValueError, match="more parameters"):
        named_params("SELECT %s", [1, 2], prefix="c")


@pytest.mark.django_db
def test_decisions_sql_has_only_named_parameters_each_one_given(branch, product):
    """No positional placeholder left: a clause moved in a template cannot take another's value."""
    sql, params = audience_decisions_sql(audience={"age_min": 30, "segments": ["MASS"]}, scope=branch,
                                         product=product, channels=["SMS", "EMAIL", "COUNTER"], frequency_cap=2,
                                         now=NOW, lower=0, upper=100)
    assert not re.search(r"%s", sql.replace("%%", ""))
    assert set(re.findall(r"%\((\w+)\)s", sql)) == set(params)
    assert params["frequency_cap"] == 2 and params["product_id"] == product.pk
