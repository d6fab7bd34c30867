"""The branch dashboard page: the figures of scoring.selectors.branch_dashboard, drawn by Chart.js."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from branches.selectors import branches_visible_to

from . import explain, forms, selectors


def dashboard_charts(dashboard: dict) -> dict:
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
                   "customers": [row["customers"] for row in dashboard["alerts"]]},
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
    dashboard = selectors.branch_dashboard(user=request.user, branch_code=form.cleaned_data["branch"] or None)
    picker = list(branches_visible_to(user=request.user)) if selectors.sees_every_branch(request.user) else []
    return render(request, "scoring/branch_dashboard.html", {
        "dashboard": dashboard, "branches": picker, "charts": dashboard_charts(dashboard),
        "self_service_threshold": explain.percent_text(selectors.SELF_SERVICE_ADOPTER_RATIO),
    })
