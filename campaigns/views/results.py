"""A campaign's results: funnel, by channel and by day, conversion against the holdout with lift."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import selectors, services
from ..models import CampaignChannel

STAGES = ("targeted", "sent", "delivered", "responded", "converted")


def stage_labels() -> dict[str, str]:
    return {"targeted": _("Targeted"), "sent": _("Sent"), "delivered": _("Delivered"), "responded": _("Responded"),
            "converted": _("Converted"), "failed": _("Failed"), "opted_out": _("Opted out")}


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _results_context(results: dict) -> dict:
    labels = stage_labels()
    channels = dict(CampaignChannel.choices)
    funnel = results["funnel"]
    targeted = funnel.get("targeted") or 0
    lift = results.get("lift")
    contacted_lift = results.get("lift_contacted")
    assigned = results.get("assigned") or results["treated"]  # snapshots from before the ITT lift
    return {
        "funnel_rows": [(labels[s], funnel.get(s, 0), _percent(funnel.get(s, 0) / targeted) if targeted else None)
                        for s in STAGES],
        "other_rows": [(labels[s], funnel.get(s, 0)) for s in ("failed", "opted_out")],
        "channel_rows": [(channels.get(code, code), [row.get(s, 0) for s in STAGES])
                         for code, row in results.get("by_channel", {}).items()],
        "day_rows": results.get("by_day", []),
        "groups": [(_("Assigned to be contacted (reached or not)"), assigned["size"], assigned["converted"],
                    _percent(assigned["rate"])),
                   (_("Contacted (a message reached them)"), results["treated"]["size"],
                    results["treated"]["converted"], _percent(results["treated"]["rate"])),
                   (_("Holdout (not contacted)"), results["holdout"]["size"], results["holdout"]["converted"],
                    _percent(results["holdout"]["rate"]))],
        "lift": None if lift is None else {
            "absolute": _percent(lift["absolute"]), "ci_low": _percent(lift["ci_low"]),
            "ci_high": _percent(lift["ci_high"]), "relative": _percent(lift.get("relative")),
            "method": lift.get("method", ""), "significant": lift["ci_low"] > 0 or lift["ci_high"] < 0},
        "contacted_lift": None if contacted_lift is None else {
            "absolute": _percent(contacted_lift["absolute"]), "ci_low": _percent(contacted_lift["ci_low"]),
            "ci_high": _percent(contacted_lift["ci_high"])},
        "chart_data": {
            "stages": list(STAGES),
            "funnel": {s: funnel.get(s, 0) for s in STAGES},
            "by_channel": {code: {s: row.get(s, 0) for s in STAGES}
                           for code, row in results.get("by_channel", {}).items()},
            "by_day": results.get("by_day", []),
            "rates": {"treated": _percent(assigned["rate"]), "holdout": _percent(results["holdout"]["rate"])},
        },
        "chart_labels": {"stages": labels, "channels": {k: str(v) for k, v in channels.items()},
                         "treated": _("Assigned to be contacted"), "holdout": _("Holdout (not contacted)"),
                         "rate": _("Conversion rate, per cent"), "people": _("Customers")},
    }


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_GET
def campaign_results(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    results = selectors.campaign_results(campaign=campaign)
    since = request.GET.get("since")
    if since is None and results is None and campaign.launched_at:
        since = "none"  # launched, not computed yet: the worker computes them when sending ends; wait for it
    context = {"campaign": campaign, "results": results,
               "waiting": since is not None and since == ((results or {}).get("computed_at") or "none"),
               "since": since}
    if results:
        context.update(_results_context(results))
        context["computed_at"] = parse_datetime(results["computed_at"]) if results.get("computed_at") else None
    return render(request, "campaigns/results.html", context)


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_POST
def results_recompute(request, campaign_id: int):
    """Queue a recompute (the worker does it); the page waits for the new snapshot."""
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    before = (selectors.campaign_results(campaign=campaign) or {}).get("computed_at") or "none"
    services.campaign_results_refresh(campaign=campaign, user=request.user)
    messages.info(request, _("Recomputing the results; this page updates when they are ready."))
    url = reverse("campaigns:results", kwargs={"campaign_id": campaign.pk})
    return redirect(f"{url}?{urlencode({'since': before})}")


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_GET
def results_status(request, campaign_id: int):
    """Polled while a recompute runs: once the snapshot is newer than `since`, show the page again."""
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    computed_at = (selectors.campaign_results(campaign=campaign) or {}).get("computed_at") or "none"
    if computed_at != request.GET.get("since"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("campaigns:results", kwargs={"campaign_id": campaign.pk})
        return response
    return render(request, "campaigns/_results_waiting.html", {"campaign": campaign, "since": computed_at})
