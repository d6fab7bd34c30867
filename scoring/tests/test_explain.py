"""The explanation and each alert's reason, rendered from the stored facts in English and Chinese."""

import pytest
from django.test import override_settings
from django.utils import translation

from scoring import explain

from .factories import CustomerScoreFactory

BIRTHDAY = {"code": "birthday", "days": 3, "date": "2026-12-01"}

# (alert, English, Chinese)
REASONS = [
    (BIRTHDAY, "Birthday in 3 days (1 December)", "3 天后生日（12月1日）"),
    ({"code": "birthday", "days": 1, "date": "2026-12-01"}, "Birthday tomorrow (1 December)", "明天生日（12月1日）"),
    ({"code": "birthday", "days": 0, "date": "2026-12-01"}, "Birthday today", "今天生日"),
    ({"code": "id_expiring", "days": 12, "date": "2026-12-10"}, "ID expires in 12 days", "证件 12 天后到期"),
    ({"code": "id_expiring", "days": 1, "date": "2026-11-29"}, "ID expires in 1 day", "证件 1 天后到期"),
    ({"code": "id_expiring", "days": 0, "date": "2026-11-28"}, "ID expires today", "证件今天到期"),
    ({"code": "id_expiring", "days": -5, "date": "2026-11-23"}, "ID expired 5 days ago", "证件已过期 5 天"),
    ({"code": "kyc_due", "days": 20, "date": "2026-12-18"}, "KYC review due in 20 days", "KYC 复核 20 天后到期"),
    ({"code": "kyc_due", "days": -8, "date": "2026-11-20"}, "KYC review overdue by 8 days", "KYC 复核已逾期 8 天"),
    ({"code": "kyc_due", "days": None, "date": None}, "KYC review due", "KYC 复核到期"),
    ({"code": "dormant", "days": 200}, "No transactions for 200 days", "已 200 天无交易"),
    ({"code": "dormant", "days": None}, "Never transacted", "从未交易"),
    ({"code": "funds_leaving", "outflow": "52000.00", "aum": "126829.27"},
     "Net outflow CNY 52,000.00 in 30 days: 41 % of AUM", "30 天内净流出 ¥52,000.00，占资产规模的 41%"),
    ({"code": "activity_falling", "last": 45, "before": 120},
     "45 transactions in the last 90 days, 120 in the 90 before", "近 90 天交易 45 笔，之前 90 天 120 笔"),
    ({"code": "activity_falling", "last": 1, "before": 6},
     "1 transaction in the last 90 days, 6 in the 90 before", "近 90 天交易 1 笔，之前 90 天 6 笔"),
]


@pytest.mark.parametrize(("alert", "english", "chinese"), REASONS, ids=[f"{r[0]['code']}-{n}" for n, r in
                                                                          enumerate(REASONS)])
def test_each_alert_reason_reads_well_in_english_and_chinese(alert, english, chinese):
    with translation.override("en"):
        assert explain.alert_reason(alert) == english
    with translation.override("zh-hans"):
        assert explain.alert_reason(alert) == chinese


@override_settings(SCORING_OUTFLOW_DAYS=14, SCORING_ACTIVITY_DAYS=60)
def test_the_windows_quoted_are_the_configured_ones():
    with translation.override("en"):
        assert explain.alert_reason({"code": "funds_leaving", "outflow": "10.00", "aum": "20.00"}) == (
            "Net outflow CNY 10.00 in 14 days: 50 % of AUM")
        assert explain.alert_reason({"code": "activity_falling", "last": 2, "before": 9}) == (
            "2 transactions in the last 60 days, 9 in the 60 before")


def test_an_unknown_alert_code_or_missing_figures_show_a_label_rather_than_failing():
    with translation.override("en"):
        assert explain.alert_reason({"code": "something_new", "days": 3}) == "something_new"
        assert explain.alert_reason({"code": "birthday"}) == "Birthday soon"
        assert explain.alert_reason({"code": "id_expiring", "days": None}) == "ID document expiring"
        assert explain.alert_reason({"code": "funds_leaving", "outflow": "lots"}) == "Funds leaving"


def test_funds_leaving_without_assets_gives_the_outflow_only():
    with translation.override("en"):
        assert explain.alert_reason({"code": "funds_leaving", "outflow": "900.50", "aum": "0.00"}) == (
            "Net outflow CNY 900.50 in 30 days")


def test_alerts_are_shown_most_urgent_first_with_severity_and_params():
    shown = explain.alerts_display([BIRTHDAY, {"code": "dormant", "days": 200},
                                    {"code": "id_expiring", "days": -1, "date": "2026-11-27"},
                                    {"code": "funds_leaving", "outflow": "5.00", "aum": "10.00"}])
    assert [a["code"] for a in shown] == ["funds_leaving", "id_expiring", "dormant", "birthday"]
    assert [a["severity"] for a in shown] == ["high", "high", "warn", "info"]
    assert shown[-1]["params"] == {"days": 3, "date": "2026-12-01"}
    assert explain.alerts_display([]) == []


# --- the explanation --------------------------------------------------------------------------------

EXPLANATIONS = [
    ("AAA", "1.60", ["aum", "card_spend"], "AAA: top 2 % by AUM and card spend", "AAA：按资产规模和刷卡消费排名前 2%"),
    ("AAA", "0.01", ["revenue"], "AAA: top 1 % by estimated revenue", "AAA：按预估收入排名前 1%"),
    ("AAA", "0.40", ["frequency", "recency"], "AAA: top 1 % by transactions and recent activity",
     "AAA：按交易和近期活跃度排名前 1%"),
    ("AA", "20.00", ["products"], "AA: top 20 % by products held", "AA：按持有产品数排名前 20%"),
    # the lower half reads from the bottom: "活跃度位于后 3%", not "前 97%"
    ("B", "63.10", [], "B: bottom 37 % by value score", "B：价值评分位于后 37%"),
    ("C", "97.20", ["recency"], "C: bottom 3 % by recent activity", "C：近期活跃度位于后 3%"),
]


@pytest.mark.parametrize(("tier", "top", "drivers", "english", "chinese"), EXPLANATIONS)
def test_the_explanation_is_rendered_from_tier_rank_and_drivers(tier, top, drivers, english, chinese):
    with translation.override("en"):
        assert explain.explanation(tier=tier, top_percent=top, drivers=drivers) == english
    with translation.override("zh-hans"):
        assert explain.explanation(tier=tier, top_percent=top, drivers=drivers) == chinese


@pytest.mark.parametrize(("top", "shown"), [("0.01", "1"), ("0.99", "1"), ("1.00", "1"), ("1.01", "2"),
                                            ("4.99", "5"), ("50.00", "50")])
def test_the_rank_is_rounded_up_to_a_whole_percent_and_never_shown_under_one(top, shown):
    with translation.override("en"):
        assert explain.explanation(tier="A", top_percent=top, drivers=["aum"]) == f"A: top {shown} % by AUM"


# --- labels and the score card --------------------------------------------------------------------------


def test_codes_get_their_translated_labels():
    with translation.override("zh-hans"):
        assert explain.channel_label("MOBILE") == "手机银行"
        assert explain.category_label("DINING") == "餐饮"
    with translation.override("en"):
        assert explain.channel_label("SELF_SERVICE") == "Self-service kiosk"
        assert explain.time_of_day_label("MORNING") == "Morning (6–12)"
        assert explain.channel_label("") == ""
        assert explain.channel_label("CARRIER_PIGEON") == "CARRIER_PIGEON"


@pytest.mark.django_db
def test_the_score_card_has_every_figure_labels_and_shares_as_decimals():
    score = CustomerScoreFactory(tier="AA", top_percent="12.40", drivers=["aum"])
    with translation.override("en"):
        card = explain.score_card(score)
    assert card["explanation"] == "AA: top 13 % by AUM"
    assert [(c["code"], str(c["share"])) for c in card["channel_mix"]] == [
        ("MOBILE", "0.6000"), ("POS", "0.3000"), ("COUNTER", "0.1000")]
    assert card["channel_mix"][0]["label"] == "Mobile banking"
    dining = card["top_categories"][0]
    assert (dining["code"], str(dining["share"]), str(dining["lift"])) == ("DINING", "0.5000", "2.94")
    assert (dining["share_text"], dining["lift_text"]) == ("50 %", "×2.94 vs all customers")
    assert (card["preferred_channel_label"], card["usual_time_of_day_label"]) == ("Mobile banking",
                                                                                  "Evening (18–23)")
    assert card["self_service_text"] == "90 %"
    for name in ["recency_days", "frequency", "monetary", "card_spend", "aum", "loan_balance", "product_count",
                 "annual_revenue", "value_score", "computed_at", "net_outflow_30d", "activity_90d"]:
        assert card[name] == getattr(score, name)


@pytest.mark.django_db
def test_a_customer_without_activity_has_an_empty_mix_and_no_ratio():
    score = CustomerScoreFactory(channel_mix={}, self_service_ratio=None, preferred_channel="", top_categories=[],
                                 category_shares={}, category_lift={}, usual_time_of_day="", recency_days=None)
    card = explain.score_card(score)
    assert (card["channel_mix"], card["top_categories"], card["self_service_text"]) == ([], [], "")
    assert card["preferred_channel_label"] == ""
