"""The model cards (managers) and the next-best offers' outcome buttons (the 360 page)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Product
from campaigns.services.contacts import counter_offer_record
from crm_site.exceptions import DomainError
from customers.reading import customer_open

from . import selectors
from .forms import OfferOutcomeForm


@login_required
@permission_required("propensity.view_propensitymodel", raise_exception=True)
@require_GET
def model_list(request):
    return render(request, "propensity/model_list.html", {"rows": selectors.products_with_history()})


@login_required
@permission_required("propensity.view_propensitymodel", raise_exception=True)
@require_GET
def model_card(request, product_code: str):
    product = get_object_or_404(Product, code=product_code)
    return render(request, "propensity/model_card.html", {"card": selectors.model_card(product=product)})


@login_required
@permission_required("campaigns.record_offer_outcome", raise_exception=True)
@require_POST
def offer_outcome(request, customer_no: str, product_code: str):
    """The teller's answer to a next-best offer: contact history the next training learns from."""
    customer = customer_open(request, customer_no=customer_no)
    product = get_object_or_404(Product, code=product_code)
    form = OfferOutcomeForm(request.POST)
    status, error, recorded = 200, None, None
    if form.is_valid():
        try:
            recorded = counter_offer_record(customer=customer, product=product, outcome=form.cleaned_data["outcome"],
                                            by=request.user)
        except DomainError as exc:
            status, error = exc.status_code, exc.message
    else:
        status, error = 400, " ".join(form.errors.get("outcome", []))
    if not request.htmx and status == 200:  # a browser without scripts: back to the page the buttons were on
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = "/"
        return redirect(target)
    context = {"customer": customer, "next_best_offers": selectors.next_best_offers(customer=customer),
               "recorded": recorded, "error": error, "next": request.POST.get("next", "")}
    return render(request, "propensity/_next_best_offers.html", context, status=status)
