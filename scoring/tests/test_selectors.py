"""Reads of scores: one customer's, tiers for search results, the branch dashboard on crafted data, runs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from crm_site.exceptions import NotAllowed, NotFound
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from scoring import selectors
from scoring.models import RunKind, RunStatus

from .factories import CustomerScoreFactory, ScoreRunFactory

pytestmark = pytest.mark.django_db


def _scored(branch, **fields):
    return CustomerScoreFactory(customer=CustomerFactory(home_branch=branch), **fields)


@pytest.fixture
def crafted(branch, other_branch):
    """Four scored customers of the branch, one not scored, a merged tombstone, one of another branch."""
    c1 = _scored(branch, tier="AAA", aum=Decimal("1000000.00"), channel_mix={"MOBILE": 0.8, "COUNTER": 0.2},
                 self_service_ratio=Decimal("0.8000"), category_shares={"DINING": 0.6, "TRAVEL": 0.4},
                 alerts=[{"code": "funds_leaving", "outflow": "400000.00", "aum": "1000000.00"},
                         {"code": "birthday", "days": 2, "date": "2026-12-01"}])
    _scored(branch, tier="AA", aum=Decimal("300000.50"), channel_mix={"COUNTER": 1.0},
            self_service_ratio=Decimal("0.0000"), category_shares={"DINING": 0.2, "CASH": 0.8},
            alerts=[{"code": "kyc_due", "days": None, "date": None}])
    _scored(branch, tier="A", aum=Decimal("50000.25"), channel_mix={}, self_service_ratio=None,
            category_shares={}, alerts=[{"code": "dormant", "days": 200}])
    _scored(branch, tier="A", aum=Decimal("20000.00"), channel_mix={"MOBILE": 0.5, "POS": 0.5},
            self_service_ratio=Decimal("0.5000"), category_shares={"GROCERIES": 1.0},
            alerts=[{"code": "birthday", "days": 5, "date": "2026-12-04"}])
    CustomerFactory(home_branch=branch)  # not scored yet
    tombstone = _scored(branch, tier="AAA", aum=Decimal("999.00"), alerts=[{"code": "dormant", "days": 1}])
    Customer.objects.filter(pk=tombstone.customer_id).update(merged_into=c1.customer)
    _scored(other_branch, tier="B", aum=Decimal("10.00"), channel_mix={"ATM": 1.0},
            self_service_ratio=Decimal("1.0000"), category_shares={"FUEL": 1.0}, alerts=[])
    now = timezone.now()
    ScoreRunFactory(kind=RunKind.FULL, as_of=now - dt.timedelta(days=1))
    newest = ScoreRunFactory(kind=RunKind.INCREMENTAL, as_of=now - dt.timedelta(hours=1))
    ScoreRunFactory(kind=RunKind.FULL, status=RunStatus.RUNNING, as_of=now, finished_at=None)
    return {"newest_run": newest}


def test_a_managers_dashboard_counts_and_sums_the_branchs_customers(manager, branch, crafted):
    board = selectors.branch_dashboard(user=manager)
    assert board["branch"] == branch
    assert board["customers"] == {"total": 5, "scored": 4, "not_scored": 1}
    assert [(t["tier"], t["customers"], t["aum"]) for t in board["tiers"]] == [
        ("AAA", 1, Decimal("1000000.00")), ("AA", 1, Decimal("300000.50")), ("A", 2, Decimal("70000.25")),
        ("B", 0, Decimal("0.00")), ("C", 0, Decimal("0.00"))]
    assert board["aum_total"] == Decimal("1370000.75")


def test_the_channel_mix_is_the_mean_share_over_customers_with_activity(manager, crafted):
    mix = selectors.branch_dashboard(user=manager)["channel_mix"]
    assert mix["customers"] == 3
    # MOBILE (0.8 + 0.5) / 3, COUNTER (0.2 + 1.0) / 3, POS 0.5 / 3
    assert [(row["channel"], row["share"]) for row in mix["shares"]] == [
        ("MOBILE", Decimal("0.4333")), ("COUNTER", Decimal("0.4000")), ("POS", Decimal("0.1667"))]
    assert mix["shares"][0]["label"] == "Mobile banking"


def test_self_service_adoption_counts_ratios_of_a_half_and_more(manager, crafted):
    adoption = selectors.branch_dashboard(user=manager)["self_service"]
    assert (adoption["customers"], adoption["adopters"]) == (3, 2)  # 0.8 and exactly 0.5; not 0.0
    assert adoption["adoption"] == Decimal("0.6667")
    assert adoption["mean_ratio"] == Decimal("0.4333")  # (0.8 + 0.0 + 0.5) / 3
    assert adoption["threshold"] == Decimal("0.5")


def test_top_categories_are_mean_shares_over_customers_with_spend_without_cash(manager, crafted):
    top = selectors.branch_dashboard(user=manager)["top_categories"]
    assert top["customers"] == 3
    assert [(row["category"], row["share"]) for row in top["shares"]] == [
        ("GROCERIES", Decimal("0.3333")), ("DINING", Decimal("0.2667")), ("TRAVEL", Decimal("0.1333"))]


def test_alert_counts_cover_every_code_most_urgent_first(manager, crafted):
    alerts = selectors.branch_dashboard(user=manager)["alerts"]
    assert [(a["code"], a["customers"]) for a in alerts] == [
        ("funds_leaving", 1), ("id_expiring", 0), ("kyc_due", 1), ("dormant", 1), ("activity_falling", 0),
        ("birthday", 2)]


def test_the_dashboard_names_the_newest_finished_run(manager, crafted):
    assert selectors.branch_dashboard(user=manager)["run"] == crafted["newest_run"]


def test_an_admin_sees_every_branch_by_default_and_any_branch_by_code(admin_user, other_branch, crafted):
    board = selectors.branch_dashboard(user=admin_user)
    assert board["branch"] is None
    assert board["customers"] == {"total": 6, "scored": 5, "not_scored": 1}
    assert [t["customers"] for t in board["tiers"]] == [1, 1, 2, 1, 0]
    other = selectors.branch_dashboard(user=admin_user, branch_code="BJ001")
    assert other["branch"] == other_branch
    assert other["customers"] == {"total": 1, "scored": 1, "not_scored": 0}
    assert [(r["channel"], r["share"]) for r in other["channel_mix"]["shares"]] == [("ATM", Decimal("1.0000"))]


def test_a_manager_may_name_their_own_branch_but_not_another(manager, crafted):
    assert selectors.branch_dashboard(user=manager, branch_code="SH001")["customers"]["total"] == 5
    with pytest.raises(NotFound):
        selectors.branch_dashboard(user=manager, branch_code="BJ001")


@pytest.mark.parametrize("code", ["NOPE", "\x00", "X" * 200])
def test_an_unknown_or_impossible_branch_code_is_not_found(admin_user, code):
    with pytest.raises(NotFound):
        selectors.dashboard_scope(user=admin_user, branch_code=code)


@pytest.mark.parametrize("persona", ["teller", "channel_system"])
def test_tellers_and_channel_systems_may_not_see_the_dashboard(request, persona):
    with pytest.raises(NotAllowed):
        selectors.branch_dashboard(user=request.getfixturevalue(persona))


def test_an_empty_branch_has_zeroes_and_no_shares(manager):
    board = selectors.branch_dashboard(user=manager)
    assert board["customers"] == {"total": 0, "scored": 0, "not_scored": 0}
    assert board["channel_mix"] == {"customers": 0, "shares": []}
    assert (board["self_service"]["adoption"], board["self_service"]["mean_ratio"]) == (None, None)
    assert board["run"] is None


def test_the_dashboard_costs_the_same_few_queries_whatever_the_number_of_customers(
        manager, branch, crafted, django_assert_num_queries):
    manager.has_perm("scoring.view_branch_dashboard")  # the permission cache, loaded once per request
    # staff profile, customer counts, tiers, the JSON sums, the newest run
    with django_assert_num_queries(5):
        selectors.branch_dashboard(user=manager)
    for _n in range(20):
        _scored(branch, alerts=[{"code": "dormant", "days": 300}])
    del manager._staff_profile_cache  # as in a new request
    with django_assert_num_queries(5):
        assert selectors.branch_dashboard(user=manager)["customers"]["total"] == 25


# --- one customer, search results ----------------------------------------------------------------------


def test_score_for_customer_is_the_row_or_none(branch):
    score = _scored(branch)
    assert selectors.score_for_customer(customer_id=score.customer_id) == score
    assert selectors.score_for_customer(customer_id=CustomerFactory(home_branch=branch).pk) is None


def test_tiers_for_customers_takes_one_query_and_none_for_no_ids(branch, django_assert_num_queries):
    scored = [_scored(branch, tier=tier) for tier in ("AAA", "B")]
    unscored = CustomerFactory(home_branch=branch)
    with django_assert_num_queries(1):
        tiers = selectors.tiers_for_customers(customer_ids=[s.customer_id for s in scored] + [unscored.pk])
    assert tiers == {scored[0].customer_id: "AAA", scored[1].customer_id: "B"}
    with django_assert_num_queries(0):
        assert selectors.tiers_for_customers(customer_ids=[]) == {}


# --- per-branch summary, runs ---------------------------------------------------------------------------


def test_the_branch_summary_has_a_line_per_visible_branch(admin_user, manager, crafted):
    lines = {b.code: b for b in selectors.branch_summaries(user=admin_user)}
    assert list(lines) == ["BJ001", "SH001"]
    sh = lines["SH001"]
    assert (sh.customer_count, sh.scored, sh.aum) == (5, 4, Decimal("1370000.75"))
    assert (sh.tier_AAA, sh.tier_AA, sh.tier_A, sh.tier_B, sh.tier_C) == (1, 1, 2, 0, 0)
    assert (lines["BJ001"].customer_count, lines["BJ001"].tier_B) == (1, 1)
    assert [b.code for b in selectors.branch_summaries(user=manager)] == ["SH001"]


def test_score_runs_are_for_managers_and_admins_newest_first(manager, teller, crafted):
    runs = list(selectors.score_runs_recent(user=manager))
    assert runs[0].status == RunStatus.RUNNING
    assert [r.kind for r in selectors.score_runs_recent(user=manager, kind=RunKind.INCREMENTAL)] == ["incremental"]
    with pytest.raises(NotAllowed):
        selectors.score_runs_recent(user=teller)
