"""Reads of scores: one customer's, the tiers of a page of search results, the branch dashboard, the runs.

The dashboard is set-wise: ORM aggregates over the branch's customers and one SQL statement that
unpacks the JSON columns (jsonb_each_text / jsonb_array_elements) and sums them in PostgreSQL;
no Python loop over customers.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from branches.models import Branch
from branches.selectors import branches_visible_to, is_bank_admin, staff_profile_get
from crm_site.exceptions import NotAllowed, NotFound
from customers import identity
from customers.models import Customer
from transactions.models import Category

from . import explain
from .models import AlertCode, CustomerScore, RunKind, RunStatus, ScoreRun, Tier

# an "adopter" does at least half of their own transactions without a teller
SELF_SERVICE_ADOPTER_RATIO = Decimal("0.5")
TOP_CATEGORIES = 5
SHARE = Decimal("0.0001")
BRANCH_CODE_MAX = Branch._meta.get_field("code").max_length


def score_for_customer(*, customer_id: int) -> CustomerScore | None:
    return CustomerScore.objects.filter(customer_id=customer_id).first()


def tiers_for_customers(*, customer_ids: Iterable[int]) -> dict[int, str]:
    """customer id -> tier for those that have scores, in one query (none for no ids)."""
    ids = list(customer_ids)
    if not ids:
        return {}
    return dict(CustomerScore.objects.filter(customer_id__in=ids).values_list("customer_id", "tier"))


# --- the branch dashboard ------------------------------------------------------------------------


def sees_every_branch(user) -> bool:
    """Admins (and superusers): the rule of branches.selectors.branches_visible_to."""
    return is_bank_admin(user)


def _require_dashboard(user) -> None:
    if not user.has_perm("scoring.view_branch_dashboard"):
        raise NotAllowed(_("Only branch managers and admins may see the branch dashboard."))


def dashboard_scope(*, user, branch_code: str | None = None) -> Branch | None:
    """The branch whose dashboard this user asked for; None means every branch (admins only).

    A manager sees their own branch; another branch's code is a 404, as if it did not exist.
    """
    _require_dashboard(user)
    if branch_code:
        branch = None
        if "\x00" not in branch_code and len(branch_code) <= BRANCH_CODE_MAX:
            branch = branches_visible_to(user=user).filter(code=branch_code).first()
        if branch is None:
            raise NotFound(_("No branch “%(code)s” among the branches you may see.") % {"code": branch_code[:40]})
        return branch
    if sees_every_branch(user):
        return None
    profile = staff_profile_get(user=user)
    if profile is None:
        raise NotAllowed(_("Your user belongs to no branch; ask an admin to set one."))
    return profile.branch


def _quantize(value, places: Decimal = SHARE) -> Decimal:
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def _ratio(part, whole) -> Decimal | None:
    return _quantize(Decimal(part) / Decimal(whole)) if whole else None


JSON_FIGURES_SQL = """
WITH scope AS ({scope})
SELECT 'channel', e.key, sum(e.value::numeric) FROM scope, jsonb_each_text(scope.channel_mix) e GROUP BY e.key
UNION ALL
SELECT 'category', e.key, sum(e.value::numeric) FROM scope, jsonb_each_text(scope.category_shares) e
 GROUP BY e.key
UNION ALL
SELECT 'alert', a.value ->> 'code', count(*) FROM scope, jsonb_array_elements(scope.alerts) a GROUP BY 2
UNION ALL
SELECT 'active', '', count(*) FROM scope WHERE scope.channel_mix <> '{{}}'::jsonb
UNION ALL
SELECT 'spending', '', count(*) FROM scope WHERE scope.category_shares <> '{{}}'::jsonb
"""


def _json_figures(scores: QuerySet) -> dict[str, dict[str, Decimal]]:
    """Sums over the JSON columns of these scores: {kind: {key: sum}} in one statement."""
    scope, params = scores.values("channel_mix", "category_shares", "alerts").query.sql_with_params()
    figures: dict[str, dict[str, Decimal]] = {"channel": {}, "category": {}, "alert": {}, "active": {},
                                              "spending": {}}
    with connection.cursor() as cursor:
        cursor.execute(JSON_FIGURES_SQL.format(scope=scope), params)
        for kind, key, total in cursor.fetchall():
            figures[kind][key or ""] = Decimal(total)
    return figures


def _channel_mix(figures: dict, active: int) -> list[dict]:
    """Mean share per channel over the customers with activity (a customer without counts as 0 for it).

    Each active customer weighs the same, whatever their number of transactions: the mix of the
    branch's customers, not of its transaction volume. The shares add up to 1.
    """
    rows = [{"channel": code, "label": explain.channel_label(code), "share": _ratio(total, active)}
            for code, total in figures["channel"].items()]
    return sorted(rows, key=lambda row: (-row["share"], row["channel"]))


def _top_categories(figures: dict, spending: int) -> list[dict]:
    """Mean spend share per category over the customers with card spend; cash is not a preference."""
    rows = [{"category": code, "label": explain.category_label(code), "share": _ratio(total, spending)}
            for code, total in figures["category"].items() if code != Category.CASH]
    return sorted(rows, key=lambda row: (-row["share"], row["category"]))[:TOP_CATEGORIES]


def branch_dashboard(*, user, branch_code: str | None = None) -> dict:
    """Tiers, AUM by tier, channel mix, self-service adoption, top categories and alerts of a branch's customers.

    A branch's customers are those whose home branch it is, merge tombstones left out. Managers
    see their own branch; admins any branch, or every branch when no code is given.
    """
    branch = dashboard_scope(user=user, branch_code=branch_code)
    live = {"merged_into__isnull": True, **({"home_branch": branch} if branch else {})}
    customers = Customer.objects.filter(**live)
    scores = CustomerScore.objects.filter(**{f"customer__{key}": value for key, value in live.items()})

    counts = customers.aggregate(
        total=Count("pk"), scored=Count("score"),
        active=Count("score", filter=Q(score__self_service_ratio__isnull=False)),
        adopters=Count("score", filter=Q(score__self_service_ratio__gte=SELF_SERVICE_ADOPTER_RATIO)),
        mean_ratio=Avg("score__self_service_ratio"),
    )
    by_tier = {row["tier"]: row for row in scores.order_by().values("tier").annotate(customers=Count("pk"),
                                                                                    aum=Sum("aum"))}
    tiers = [{"tier": tier, "customers": by_tier.get(tier, {}).get("customers", 0),
              "aum": by_tier.get(tier, {}).get("aum") or Decimal("0.00")} for tier in Tier.values]
    figures = _json_figures(scores)
    active = int(figures["active"].get("", 0))
    spending = int(figures["spending"].get("", 0))
    alerts = [{"code": code, "label": explain.alert_label(code), "severity": explain.ALERT_SEVERITY.get(code),
               "customers": int(figures["alert"].get(code, 0))}
              for code in explain.ALERT_ORDER if code in AlertCode.values]
    run, full = _newest_runs()
    return {
        "branch": branch,
        "customers": {"total": counts["total"], "scored": counts["scored"],
                      "not_scored": counts["total"] - counts["scored"]},
        "tiers": tiers,
        "aum_total": sum((row["aum"] for row in tiers), Decimal("0.00")),
        "channel_mix": {"customers": active, "shares": _channel_mix(figures, active)},
        "self_service": {
            "customers": counts["active"], "adopters": counts["adopters"],
            "adoption": _ratio(counts["adopters"], counts["active"]),
            "mean_ratio": _quantize(counts["mean_ratio"]) if counts["mean_ratio"] is not None else None,
            "threshold": SELF_SERVICE_ADOPTER_RATIO,
        },
        "top_categories": {"customers": spending, "shares": _top_categories(figures, spending)},
        "alerts": alerts,
        "run": run,
        # money is in the base currency; what the newest full run could not convert, bank-wide
        "money": {"base_currency": settings.BASE_CURRENCY, "run": full,
                  "rates": full.fx_rates if full else {}, "unconverted": full.unconverted if full else {}},
    }


def alert_kind_check(code: str) -> str:
    """An alert kind named in a URL: one of AlertCode, else a 404 that says which kinds there are."""
    if code not in AlertCode.values:
        raise NotFound(_("There is no alert kind “%(code)s”. Open a list from the alert chart of the branch dashboard.")
                       % {"code": code[:40]})
    return code


def customers_with_alert(*, user, code: str, branch_code: str | None = None) -> tuple[Branch | None, QuerySet]:
    """The scores of the customers on whom an alert of this kind fires, in the dashboard's scope (its branch,
    or every branch for an admin who names none), most valuable first; the customer and home branch joined.

    The alerts are a JSON list on the score row; `@>` finds the rows holding one of this kind.
    """
    alert_kind_check(code)
    branch = dashboard_scope(user=user, branch_code=branch_code)
    scores = (CustomerScore.objects.filter(customer__merged_into__isnull=True, alerts__contains=[{"code": code}])
              .select_related("customer", "customer__home_branch")
              .only("customer_id", "tier", "value_score", "alerts", "customer__customer_no", "customer__full_name",
                    "customer__home_branch__code", "customer__home_branch__name")
              .order_by("-value_score", "customer__customer_no"))
    if branch is not None:
        scores = scores.filter(customer__home_branch=branch)
    return branch, scores


def alert_rows(*, scores: Iterable[CustomerScore], code: str) -> list[dict]:
    """One line per customer of an alert list: masked name, tier, the alert's reason in the reader's language."""
    rows = []
    for score in scores:
        alert = next((item for item in score.alerts or [] if item.get("code") == code), {"code": code})
        rows.append({"customer": score.customer, "masked_name": identity.masked_name(score.customer.full_name),
                     "tier": score.tier, "text": explain.alert_reason(alert),
                     "severity": explain.ALERT_SEVERITY.get(code, "info")})
    return rows


def _newest_runs() -> tuple[ScoreRun | None, ScoreRun | None]:
    """The newest finished run, and the newest finished full run (often the same), in one query."""
    done = ScoreRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at", "-id")
    runs = list(ScoreRun.objects.filter(Q(pk=Subquery(done.values("pk")[:1]))
                                        | Q(pk=Subquery(done.filter(kind=RunKind.FULL).values("pk")[:1])))
                .order_by("-finished_at", "-id").defer("customer_ids", "cutoffs"))
    newest = runs[0] if runs else None
    full = next((run for run in runs if run.kind == RunKind.FULL), None)
    return newest, full


def branch_summaries(*, user) -> list[Branch]:
    """One line per branch the user may see (admins: all; managers: their own), in one query.

    Each branch carries customers, scored, aum, mean_value_score and tier_<TIER> counts.
    """
    _require_dashboard(user)
    live = Q(customers__merged_into__isnull=True)
    scored = live & Q(customers__score__isnull=False)
    tiers = {f"tier_{tier}": Count("customers__score", filter=live & Q(customers__score__tier=tier))
             for tier in Tier.values}
    return list(branches_visible_to(user=user).annotate(
        customer_count=Count("customers", filter=live),
        scored=Count("customers__score", filter=scored),
        aum=Sum("customers__score__aum", filter=scored),
        mean_value_score=Avg("customers__score__value_score", filter=scored),
        **tiers,
    ).order_by("code"))


# --- score runs -------------------------------------------------------------------------------------


def score_runs_recent(*, user, kind: str | None = None, status: str | None = None) -> QuerySet[ScoreRun]:
    """The refreshes, newest first; their bulky JSON (customer ids, cut-off distributions) left out."""
    if not user.has_perm("scoring.view_scorerun"):
        raise NotAllowed(_("Only branch managers and admins may see the score runs."))
    runs = ScoreRun.objects.defer("customer_ids", "cutoffs").select_related("requested_by")
    if kind:
        runs = runs.filter(kind=kind)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-id")
