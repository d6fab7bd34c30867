"""The branch dashboard page: the figures of scoring.selectors.branch_dashboard, drawn by Chart.js."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from branches.selectors import branches_visible_to
from customers.reading import customers_read_record

from . import explain, forms, selectors

ALERT_CUSTOMERS_PER_PAGE = 50


def alert_list_url(code: str, branch_code: str | None = None) -> str:
    """The list of the customers an alert fires on, in the dashboard's branch (a branch code is no identifier)."""
    url = reverse("scoring:alert-customers", kwargs={"code": code})
    return f"{url}?{urlencode({'branch': branch_code})}" if branch_code else url


def dashboard_charts(dashboard: dict, branch_code: str | None = None) -> dict:
    """The charts' data as JSON-ready values (decimals as strings), labels in the active language."""
    self_service = dashboard["self_service"]
    others = self_service["customers"] - self_service["adopters"]
    return {
        "tiers": {"labels": [row["tier"] for row in dashboard["tiers"]],
                  "customers": [row["customers"] for row in dashboard["tiers"]],
                  "aum": [str(row["aum"]) for row in dashboard["tiers"]]},
        "channels": {"labels": [row["label"] for row in dashboard["channel_mix"]["shares"]],
                     "shares": [str(row["share"]) for row in dashboard["channel_mix"]["shares"]]},
        "self_service": {"labels": [_("Mostly self-service"), _("Mostly at the counter")],
                         "customers": [self_service["adopters"], others]},
        "categories": {"labels": [row["label"] for row in dashboard["top_categories"]["shares"]],
                       "shares": [str(row["share"]) for row in dashboard["top_categories"]["shares"]]},
        "alerts": {"labels": [row["label"] for row in dashboard["alerts"]],
                   "customers": [row["customers"] for row in dashboard["alerts"]],
                   "urls": [alert_list_url(row["code"], branch_code) for row in dashboard["alerts"]]},
        "text": {"customers": _("Customers"), "aum": _("AUM (%(currency)s)") % {"currency": settings.BASE_CURRENCY},
                 "share": _("Mean share")},
    }


@login_required
@permission_required("scoring.view_branch_dashboard", raise_exception=True)
@require_GET
def branch_dashboard(request):
    form = forms.DashboardBranchForm(request.GET)
    if not form.is_valid():
        return render(request, "error.html", {"message": _("That is not a branch code.")}, status=400)
    branch_code = form.cleaned_data["branch"] or None
    dashboard = selectors.branch_dashboard(user=request.user, branch_code=branch_code)
    picker = list(branches_visible_to(user=request.user)) if selectors.sees_every_branch(request.user) else []
    for row in dashboard["alerts"]:
        row["url"] = alert_list_url(row["code"], branch_code)
    return render(request, "scoring/branch_dashboard.html", {
        "dashboard": dashboard, "branches": picker, "charts": dashboard_charts(dashboard, branch_code),
        "self_service_threshold": explain.percent_text(selectors.SELF_SERVICE_ADOPTER_RATIO),
    })


@login_required
@permission_required("scoring.view_branch_dashboard", raise_exception=True)
@require_GET
def alert_customers(request, code: str):
    """The customers behind one bar of the dashboard's alert chart: masked names, tier, the alert's reason, each
    a link to the 360 page. The names and reasons are the customers' data: the page is logged per customer."""
    form = forms.DashboardBranchForm(request.GET)
    if not form.is_valid():
        return render(request, "error.html", {"message": _("That is not a branch code.")}, status=400)
    branch_code = form.cleaned_data["branch"] or None
    branch, scores = selectors.customers_with_alert(user=request.user, code=code, branch_code=branch_code)
    page = Paginator(scores, ALERT_CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.alert_rows(scores=page, code=code)
    customers_read_record(request, customer_ids=[row["customer"].pk for row in rows])
    return render(request, "scoring/alert_customers.html", {
        "code": code, "label": explain.alert_label(code), "branch": branch, "page": page, "rows": rows,
        "branch_query": urlencode({"branch": branch_code}) + "&" if branch_code else "",
        "dashboard_url": reverse("scoring:branch-dashboard") + (f"?{urlencode({'branch': branch_code})}"
                                                                 if branch_code else ""),
    })
