"""The campaigns of the branch (or all, for an admin), one campaign, and its steps: submit, approve, launch…"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm_site.exceptions import DomainError, NotFound

from .. import selectors, services
from ..exceptions import CampaignInvalid
from ..models import Campaign, CampaignChannel, CampaignStatus, SkipReason
from .common import audience_lines, audit_lines, domain_error_lines, message_lines

CAMPAIGNS_PER_PAGE = 25
# polled by the detail page while the fan-out and sending run
ACTIVE = (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING)
CANCELLABLE = (CampaignStatus.DRAFT, CampaignStatus.PENDING_APPROVAL, CampaignStatus.APPROVED,
               CampaignStatus.SCHEDULED, CampaignStatus.RUNNING)

ACTIONS = {
    "submit": (services.campaign_submit, gettext_lazy("Submitted for approval: another manager of the branch or "
                                                      "an admin approves it.")),
    "return": (services.campaign_return, gettext_lazy("Sent back to draft for changes.")),
    "approve": (services.campaign_approve, gettext_lazy("Approved. It can be launched now.")),
    "cancel": (services.campaign_cancel, gettext_lazy("Cancelled: nothing more is sent.")),
}


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_GET
def campaign_list(request):
    campaigns = Paginator(selectors.campaigns_for_user(user=request.user), CAMPAIGNS_PER_PAGE).get_page(
        request.GET.get("page"))
    awaiting = list(selectors.campaigns_awaiting_approval(user=request.user)[:10])
    return render(request, "campaigns/list.html", {"campaigns": campaigns, "awaiting": awaiting})


def _detail_context(request, campaign: Campaign, **extra) -> dict:
    user = request.user
    launched = campaign.launched_at is not None
    pending = campaign.status == CampaignStatus.PENDING_APPROVAL
    in_scope = selectors.campaign_in_scope(campaign=campaign, user=user)
    counts = selectors.campaign_counts(campaign=campaign) if launched else None
    in_outbox = (selectors.campaign_in_outbox(campaign=campaign)
                 if campaign.status == CampaignStatus.COMPLETED and launched else 0)
    context = {
        "campaign": campaign,
        "counts": counts,
        "excluded_counts": [(SkipReason(r).label, n) for r, n in counts["excluded"].items()] if counts else [],
        "channel_counts": [(CampaignChannel(c).label if c in CampaignChannel.values else c, n)
                           for c, n in counts["by_channel"].items()] if counts else [],
        "held": [{**row, "label": CampaignChannel(row["channel"]).label if row["channel"] in CampaignChannel.values
                  else row["channel"]} for row in selectors.campaign_held(campaign=campaign)] if launched else [],
        "audience": audience_lines(campaign.audience or {}),
        "message_rows": message_lines(campaign),
        "audit": audit_lines(campaign),
        "can_edit": selectors.can_edit(campaign=campaign, user=user),
        "can_submit": selectors.can_edit(campaign=campaign, user=user),
        "can_approve": selectors.can_approve(campaign=campaign, user=user),
        "can_return": pending and in_scope and user.has_perm("campaigns.approve_campaign"),
        "can_launch": selectors.can_launch(campaign=campaign, user=user),
        "can_cancel": campaign.status in CANCELLABLE and in_scope and user.has_perm("campaigns.change_campaign"),
        "drafted_by_me": pending and user.pk in (campaign.created_by_id, campaign.submitted_by_id),
        "send_later": campaign.send_at is not None and campaign.status == CampaignStatus.APPROVED,
        "in_outbox": in_outbox,
        "is_active": campaign.status in ACTIVE or in_outbox > 0,  # the panel polls while its counts move
        "has_call_list": "PHONE" in campaign.channels and launched,
    }
    context.update(extra)
    return context


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_GET
def campaign_detail(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    return render(request, "campaigns/detail.html", _detail_context(request, campaign))


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_GET
def campaign_progress(request, campaign_id: int):
    """The status and counts panel, polled by htmx every 2 s while the campaign is scheduled or running."""
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    response = render(request, "campaigns/_progress.html", _detail_context(request, campaign))
    if request.GET.get("was") != campaign.status:
        response["HX-Refresh"] = "true"  # a new status: its buttons and links change too
    return response


LAUNCH_SALT = "campaigns.launch-confirmation"
LAUNCH_CONFIRMATION_AGE = 30 * 60  # seconds: the counts confirmed were seen at most half an hour ago


def launch_token(*, campaign: Campaign, user) -> str:
    """What the confirmation page posts back: this campaign, this user, recently (a signed, dated value)."""
    return signing.TimestampSigner(salt=LAUNCH_SALT).sign(f"{campaign.pk}:{user.pk}")


def launch_token_valid(token: str, *, campaign: Campaign, user) -> bool:
    try:
        value = signing.TimestampSigner(salt=LAUNCH_SALT).unsign(token or "", max_age=LAUNCH_CONFIRMATION_AGE)
    except signing.BadSignature:  # a SignatureExpired too
        return False
    return value == f"{campaign.pk}:{user.pk}"


def channel_label(code: str) -> str:
    return CampaignChannel(code).label if code in CampaignChannel.values else code


def launch_context(request, campaign: Campaign, **extra) -> dict:
    counts = selectors.campaign_launch_counts(campaign=campaign)
    return {"campaign": campaign, "counts": counts,
            "by_channel": [(channel_label(code), n) for code, n in counts["by_channel"].items()],
            "excluded": [(SkipReason(reason).label, n) for reason, n in counts["excluded"].items()
                         if reason != SkipReason.NO_CONSENT],
            "overlaps": counts["overlaps"], "token": launch_token(campaign=campaign, user=request.user),
            "send_later": campaign.send_at is not None and campaign.send_at > timezone.now(), **extra}


@login_required
@permission_required("campaigns.launch_campaign", raise_exception=True)
@require_http_methods(["GET", "POST"])
def campaign_launch(request, campaign_id: int):
    """GET: what the launch would do (recipients per channel, no consent, holdout, overlaps), to confirm.
    POST: launch, only with the confirmation that page carries; without it, the page again and nothing sent."""
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    if not selectors.can_launch(campaign=campaign, user=request.user):
        if request.method == "GET":
            messages.warning(request, _("This campaign cannot be launched: it is %(status)s.")
                             % {"status": campaign.get_status_display()})
            return redirect("campaigns:detail", campaign_id=campaign.pk)
        return _action(request, campaign, services.campaign_launch, "")  # the service says why (409/403)
    if request.method == "GET":
        return render(request, "campaigns/launch.html", launch_context(request, campaign))
    if not launch_token_valid(request.POST.get("confirm", ""), campaign=campaign, user=request.user):
        context = launch_context(request, campaign, error=_("Check the counts below and confirm the launch."))
        return render(request, "campaigns/launch.html", context, status=400)
    return _action(request, campaign, services.campaign_launch, _("Launched."))


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_POST
def campaign_action(request, campaign_id: int, action: str):
    """One step of the campaign's life, by the service of that step; a refusal is shown on the page."""
    if action not in ACTIONS:
        raise Http404
    service, done = ACTIONS[action]
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    return _action(request, campaign, service, done)


def _action(request, campaign: Campaign, service, done):
    campaign_id = campaign.pk
    try:
        campaign = service(campaign=campaign, user=request.user)
    except NotFound:
        raise
    except DomainError as exc:
        problems = domain_error_lines(exc.errors) if isinstance(exc, CampaignInvalid) else []
        campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)  # as it is now
        context = _detail_context(request, campaign, error=exc.message, problems=problems)
        return render(request, "campaigns/detail.html", context, status=exc.status_code)
    if service is services.campaign_launch and campaign.status == CampaignStatus.SCHEDULED:
        messages.success(request, _("Scheduled: sending starts at %(when)s.")
                         % {"when": timezone.localtime(campaign.send_at).strftime("%Y-%m-%d %H:%M")})
    else:
        messages.success(request, str(done))
    return redirect("campaigns:detail", campaign_id=campaign.pk)
