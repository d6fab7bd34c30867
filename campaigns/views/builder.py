"""The audience builder: draft or edit a campaign, count its audience live, preview it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.models import Branch

from .. import selectors, services
from ..exceptions import CampaignInvalid
from ..forms import CampaignForm
from ..models import CampaignChannel, SkipReason
from .common import domain_error_lines

NEW_CAMPAIGN_INITIAL = {"holdout_share": "0.1", "conversion_window_days": "30"}


def _branches_for(user) -> list[Branch]:
    """The branches an admin may pick for the audience; none for a manager (own branch only)."""
    return list(Branch.objects.order_by("code")) if selectors.user_scope(user=user).everything else []


def _after_save(request, campaign):
    if "preview" in request.POST:
        return redirect("campaigns:preview", campaign_id=campaign.pk)
    return redirect("campaigns:detail", campaign_id=campaign.pk)


def _form_page(request, form, campaign=None, status=200):
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign}, status=status)


@login_required
@permission_required("campaigns.add_campaign", raise_exception=True)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    branches = _branches_for(request.user)
    if request.method == "GET":
        initial = {**NEW_CAMPAIGN_INITIAL, "product": request.GET.get("product", "")}
        return _form_page(request, CampaignForm(initial=initial, branches=branches))
    form = CampaignForm(request.POST, branches=branches)
    if form.is_valid():
        try:
            campaign = services.campaign_create(user=request.user, data=form.campaign_data())
        except CampaignInvalid as exc:
            form.add_domain_errors(exc.errors)
        else:
            messages.success(request, _("Draft saved. Preview it, then submit it for approval."))
            return _after_save(request, campaign)
    return _form_page(request, form, status=400)


@login_required
@permission_required("campaigns.change_campaign", raise_exception=True)
@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    branches = _branches_for(request.user)
    if request.method == "GET":
        if not campaign.is_editable:
            messages.warning(request, _("Only a draft can be changed. This campaign is %(status)s.")
                             % {"status": campaign.get_status_display()})
            return redirect("campaigns:detail", campaign_id=campaign.pk)
        return _form_page(request, CampaignForm(initial=CampaignForm.initial_from(campaign), branches=branches),
                          campaign)
    form = CampaignForm(request.POST, branches=branches)
    if form.is_valid():
        try:
            campaign = services.campaign_update(campaign=campaign, user=request.user, data=form.campaign_data())
        except CampaignInvalid as exc:
            form.add_domain_errors(exc.errors)
        else:
            messages.success(request, _("Draft saved."))
            return _after_save(request, campaign)
    return _form_page(request, form, campaign, status=400)


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_POST
def audience_count(request):
    """The builder's live count: the audience filters of the posted form, before exclusions."""
    form = CampaignForm(request.POST, branches=_branches_for(request.user))
    form.is_valid()  # the audience reads what cleaned; a bad choice elsewhere is the save's to report
    try:
        count = selectors.audience_count(user=request.user, audience=form.audience())
    except CampaignInvalid as exc:
        return render(request, "campaigns/_audience_count.html",
                      {"problems": domain_error_lines(exc.errors, form=form)}, status=400)
    return render(request, "campaigns/_audience_count.html", {"count": count})


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_GET
def campaign_preview(request, campaign_id: int):
    """Who the saved campaign would reach now: eligible, by channel, why others are left out, a sample."""
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    preview = selectors.campaign_preview_saved(campaign=campaign)
    excluded = [(SkipReason(reason).label, n) for reason, n in preview["excluded"].items()]
    channel_labels = dict(CampaignChannel.choices)
    by_channel = [(channel_labels.get(code, code), n) for code, n in preview["by_channel"].items()]
    for row in preview["sample"]:
        row["channel_label"] = channel_labels.get(row["channel"], row["channel"])
    context = {"campaign": campaign, "preview": preview, "excluded": excluded, "by_channel": by_channel,
               "selected": preview["eligible"] + sum(preview["excluded"].values()),
               "can_edit": selectors.can_edit(campaign=campaign, user=request.user)}
    return render(request, "campaigns/preview.html", context)
