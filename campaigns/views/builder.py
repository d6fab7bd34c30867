"""The campaign builder in steps (audience → channels and messages → sending → preview): draft or edit a
campaign, count its audience live, render its messages for a sample customer, preview it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Product
from branches.models import Branch
from customers.identity import masked_name

from .. import selectors, services
from ..exceptions import CampaignInvalid
from ..forms import LANGUAGE_LABELS, CampaignForm
from ..models import CampaignChannel, SkipReason
from ..rendering import message_samples, messages_clean
from ..services.unsubscribe import UnsubscribeLinks
from .common import domain_error_lines

NEW_CAMPAIGN_INITIAL = {"holdout_share": "10", "conversion_window_days": "30"}
# the largest recipient id the unsubscribe link of a sample is signed for: a link as long as real ones get
SAMPLE_RECIPIENT_ID = 99_999_999


def _branches_for(user) -> list[Branch]:
    """The branches an admin may pick for the audience; none for a manager (own branch only)."""
    return list(Branch.objects.order_by("code")) if selectors.user_scope(user=user).everything else []


def _form(request, data=None, **kwargs) -> CampaignForm:
    return CampaignForm(data, branches=_branches_for(request.user), cities=selectors.audience_cities(user=request.user),
                        **kwargs)


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
    if request.method == "GET":
        initial = {**NEW_CAMPAIGN_INITIAL, "product": request.GET.get("product", "")}
        return _form_page(request, _form(request, initial=initial))
    form = _form(request, request.POST)
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
    if request.method == "GET":
        if not campaign.is_editable:
            messages.warning(request, _("Only a draft can be changed. This campaign is %(status)s.")
                             % {"status": campaign.get_status_display()})
            return redirect("campaigns:detail", campaign_id=campaign.pk)
        return _form_page(request, _form(request, initial=CampaignForm.initial_from(campaign)), campaign)
    form = _form(request, request.POST)
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
    form = _form(request, request.POST)
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
               "can_edit": selectors.can_edit(campaign=campaign, user=request.user),
               "overlaps": selectors.audience_overlaps(audience=campaign.audience, scope=campaign.branch,
                                                       exclude_campaign_id=campaign.pk)}
    return render(request, "campaigns/preview.html", context)


def _product_posted(form: CampaignForm) -> Product | None:
    code = form.cleaned_data.get("product") or ""
    return Product.objects.filter(code=code, active=True).first() if code else None


def _samples(request, form: CampaignForm) -> dict:
    """The context of _message_sample.html: the chosen channels' texts rendered for the audience's first
    customer (name masked), SMS with length and parts; texts that cannot be rendered yet, with why."""
    audience = form.audience()
    customer = selectors.audience_sample_customer(user=request.user, audience=audience)
    raw = form.messages()
    messages, errors = messages_clean(raw)
    for key in errors:  # a text with a problem is not rendered: its problem is shown instead
        parts = key.split(".")
        if len(parts) >= 3 and parts[1] in messages:
            messages[parts[1]].pop(parts[2], None)
    channels = list(form.cleaned_data.get("channels") or [])
    product = _product_posted(form)
    context = {"customer": customer, "problems": domain_error_lines(errors, form=form), "samples": [],
               "channels": channels}
    if customer is None:
        return context
    links = UnsubscribeLinks()
    names = {code: product.display_name(code) for code in ("zh-hans", "en")} if product else "{product}"
    samples = message_samples(
        messages=messages, channels=channels, name=customer.display_name,
        masked_name=masked_name(customer.display_name), product=names, branch=customer.home_branch.name,
        language=customer.preferred_language,
        unsubscribe_url=lambda channel: links.url(recipient_id=SAMPLE_RECIPIENT_ID, channel=channel))
    context["samples"] = [{"sample": sample, "channel_label": CampaignChannel(sample.channel).label,
                           "language_label": LANGUAGE_LABELS[sample.language]} for sample in samples]
    context["masked_name"] = masked_name(customer.display_name)
    return context


@login_required
@permission_required("campaigns.add_campaign", raise_exception=True)
@require_POST
def message_sample(request):
    """The builder's live message: the posted texts as the audience's first customer would get them."""
    form = _form(request, request.POST)
    form.is_valid()
    try:
        context = _samples(request, form)
    except CampaignInvalid as exc:
        return render(request, "campaigns/_message_sample.html",
                      {"audience_problems": domain_error_lines(exc.errors, form=form)}, status=400)
    return render(request, "campaigns/_message_sample.html", context)


@login_required
@permission_required("campaigns.add_campaign", raise_exception=True)
@require_POST
def builder_preview(request):
    """The builder's last step, before saving: who the posted campaign would reach and why others are left out,
    running campaigns it overlaps, and its messages for a sample customer."""
    form = _form(request, request.POST)
    form.is_valid()
    product = _product_posted(form)
    channels = list(form.cleaned_data.get("channels") or [])
    if product is None or not channels:
        return render(request, "campaigns/_builder_preview.html", {"incomplete": True})
    try:
        preview = selectors.campaign_preview(user=request.user, product=product, channels=channels,
                                             audience=form.audience(),
                                             frequency_cap=form.cleaned_data.get("frequency_cap") or None,
                                             sample_size=0)
        overlaps = selectors.audience_overlaps_for_user(user=request.user, audience=form.audience())
        samples = _samples(request, form)
    except CampaignInvalid as exc:
        return render(request, "campaigns/_builder_preview.html",
                      {"problems": domain_error_lines(exc.errors, form=form)}, status=400)
    context = {"preview": preview, "overlaps": overlaps, **samples,
               "by_channel": [(CampaignChannel(code).label, n) for code, n in preview["by_channel"].items()],
               "excluded": [(SkipReason(reason).label, n) for reason, n in preview["excluded"].items()]}
    return render(request, "campaigns/_builder_preview.html", context)
