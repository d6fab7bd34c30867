"""Offers worked by people: the branch's PHONE call list (page, CSV, outcome per call) and the COUNTER
offers the teller pitches on the customer 360 page (outcome per offer)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm_site.exceptions import DomainError, NotFound
from crm_site.http import client_ip, no_store
from customers.models import AccessVia
from customers.reading import customer_read_record, customers_read_record

from .. import selectors, services
from ..forms import OutcomeForm
from ..models import CampaignChannel, CampaignRecipient, OfferOutcome

CALLS_PER_PAGE = 50
COUNTER_OUTCOMES = (OfferOutcome.INTERESTED, OfferOutcome.DECLINED, OfferOutcome.CONVERTED)


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_GET
def call_list(request, campaign_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    calls = Paginator(selectors.call_list(campaign=campaign), CALLS_PER_PAGE).get_page(request.GET.get("page"))
    customers_read_record(request, customer_ids=[call.customer_id for call in calls])
    script = ((campaign.messages or {}).get(CampaignChannel.PHONE) or {}).get("zh-hans", {}).get("body", "")
    return render(request, "campaigns/call_list.html",
                  {"campaign": campaign, "calls": calls, "script": script, "outcome_form": OutcomeForm()})


@login_required
@permission_required("campaigns.view_campaign", raise_exception=True)
@require_http_methods(["GET", "POST"])
def call_list_csv(request, campaign_id: int):
    """The call list as CSV: masked mobiles (GET); full ones (POST reveal=1), logged per customer by the service."""
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    reveal = request.method == "POST" and request.POST.get("reveal") == "1"
    text = services.call_list_csv(campaign=campaign, user=request.user, reveal=reveal, ip_address=client_ip(request),
                                  via=AccessVia.PAGE)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-call-list.csv"'
    return no_store(response)


def _record(request, recipient: CampaignRecipient, outcomes) -> tuple[OutcomeForm, str | None, int]:
    """Record the posted outcome: (the form, an error message or None, the HTTP status)."""
    form = OutcomeForm(request.POST, outcomes=outcomes)
    if not form.is_valid():
        return form, None, 400
    try:
        services.recipient_outcome_record(recipient=recipient, outcome=form.cleaned_data["outcome"], by=request.user,
                                          note=form.cleaned_data["note"])
    except NotFound:
        raise
    except DomainError as exc:
        return form, exc.message, exc.status_code
    return form, None, 200


@login_required
@permission_required("campaigns.record_offer_outcome", raise_exception=True)
@require_POST
def call_outcome(request, campaign_id: int, recipient_id: int):
    campaign = selectors.campaign_get(campaign_id=campaign_id, user=request.user)
    recipient = selectors.recipient_get_for_outcome(recipient_id=recipient_id, user=request.user)
    if recipient.campaign_id != campaign.pk or recipient.channel != CampaignChannel.PHONE:
        raise Http404
    form, error, status = _record(request, recipient, OfferOutcome.values)
    recipient.refresh_from_db()
    customer_read_record(request, customer=recipient.customer)  # the row shows the customer's name and mobile
    context = {"campaign": campaign, "call": recipient, "outcome_form": form, "error": error,
               "saved": status == 200}
    if not request.htmx:
        return redirect("campaigns:call-list", campaign_id=campaign.pk) if status == 200 else render(
            request, "campaigns/_call_row.html", context, status=status)
    return render(request, "campaigns/_call_row.html", context, status=status)


@login_required
@permission_required("campaigns.record_offer_outcome", raise_exception=True)
@require_POST
def offer_outcome(request, recipient_id: int):
    """A teller's answer to a counter offer on the 360 page: every member of staff who serves the customer
    may record it (DESIGN §8), whatever the campaign's branch."""
    offer = selectors.recipient_get_for_outcome(recipient_id=recipient_id, user=request.user)
    if offer.channel != CampaignChannel.COUNTER:
        raise Http404
    form, error, status = _record(request, offer, COUNTER_OUTCOMES)
    offer.refresh_from_db()
    customer_read_record(request, customer=offer.customer)  # the pitch is written for this customer
    # still open (e.g. "interested"): shown again with its pitch, as the 360 page has it
    offer = next((o for o in selectors.offers_for_customer(customer=offer.customer) if o.pk == offer.pk), offer)
    if not request.htmx and status == 200:
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = "/"
        return redirect(target)
    context = {"offer": offer, "outcome_form": form, "error": error, "recorded": status == 200,
               "next": request.POST.get("next", "")}
    return render(request, "campaigns/_offer.html", context, status=status)
