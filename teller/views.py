from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.selectors import staff_profile_get
from crm_site.http import client_ip, no_store
from customers import search, selectors, services
from customers.exceptions import CustomerMerged
from customers.models import AccessAction, AccessVia, ConsentSource
from customers.reading import customer_open

from . import forms
from .selectors import customer_360, tiers_attach, transactions_page, work_queue


def _branch_id(request):
    profile = staff_profile_get(user=request.user)
    return profile.branch_id if profile else None


@login_required
@require_GET
def home(request):
    context = {"session_idle_minutes": settings.SESSION_COOKIE_AGE // 60, "form": forms.SearchForm()}
    if request.user.has_perm("customers.view_customer"):
        context["recent"] = selectors.recently_served(user=request.user)
    context["work_queue"] = work_queue(user=request.user)
    return render(request, "teller/home.html", context)


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
@never_cache
def customer_search(request):
    """The one-box search. The box posts its query: an ID, mobile, card or account number in a URL would end
    up in access logs, browser history and the next page's Referer. A GET still answers names (old links),
    and refuses an identifier with a 400 that points to the box."""
    form = forms.SearchForm(request.POST if request.method == "POST" else request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if request.method == "GET" and search.looks_like_identifier(query):
        context = {"result": None, "query": "", "shown_query": search.query_for_display(query),
                   "form": forms.SearchForm(), "identifier_in_url": True,
                   "language_next": request.path}  # the language switch must not carry the query on
        return render(request, "teller/search.html", context, status=400)
    result = search.customers_search(query=query, branch_id=_branch_id(request))
    if not request.htmx and result.exact_identifier and len(result.customers) == 1:
        # 303: the browser follows a POST with a GET of the profile, and Back does not post the number again
        return _see_other(reverse("teller:customer", kwargs={"customer_no": result.customers[0].customer_no}))
    tiers_attach(customers=result.customers)
    shown = search.query_for_display(query)
    context = {"result": result, "query": query, "shown_query": shown,
               # the box keeps a name to refine it; an identifier is not written back into the page
               "box_query": "" if shown != query else query}
    if request.htmx:
        return render(request, "teller/_results.html", context)
    return render(request, "teller/search.html", {**context, "form": form})


def _see_other(url: str) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


@login_required
@require_GET
def customer_detail(request, customer_no):
    try:
        customer = customer_open(request, customer_no=customer_no)
    except CustomerMerged as merged:  # an old customer number: the profile that absorbed it
        return redirect("teller:customer", customer_no=merged.survivor_no)
    context = customer_360(customer=customer)
    context.update({
        "filter_form": forms.TransactionFilterForm(),
        "interaction_form": forms.InteractionForm(),
        "quick_note_form": forms.QuickNoteForm(),
        "consent_form": forms.ConsentForm(),
        "reveal_form": forms.RevealForm(),
    })
    return render(request, "teller/customer.html", context)


def _contact_initial(customer):
    fields = ["address", "city", "preferred_name", "salutation", "preferred_language", "preferred_contact_channel",
              "preferred_contact_time", "service_notes"]
    return {name: getattr(customer, name) for name in fields}


@login_required
@require_GET
def customer_transactions(request, customer_no):
    customer = customer_open(request, customer_no=customer_no)
    form = forms.TransactionFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "teller/_transactions.html", {"customer": customer, "filter_form": form,
                                                             "transactions": None}, status=400)
    data = form.cleaned_data
    page = transactions_page(customer=customer, channel=data["channel"] or None, date_from=data["date_from"],
                             date_to=data["date_to"], page=data["page"] or 1)
    filters = {k: v for k, v in request.GET.items() if k in ("channel", "date_from", "date_to") and v}
    filter_query = urlencode(filters) + "&" if filters else ""
    return render(request, "teller/_transactions.html", {"customer": customer, "filter_form": form,
                                                         "transactions": page, "filter_query": filter_query})


@login_required
@permission_required("customers.add_interaction", raise_exception=True)
@require_POST
def interaction_add(request, customer_no):
    """The full note form of the timeline tab, or the quick note of the visit panel (part=quick-note).

    The answer replaces the part that posted; on success the other parts that show interactions
    (the last three, the timeline) come along as out-of-band swaps.
    """
    customer = customer_open(request, customer_no=customer_no)
    quick = request.POST.get("part") == "quick-note"
    form = forms.InteractionForm(request.POST, auto_id="quick_%s" if quick else "interaction_%s")
    status = 200
    if form.is_valid():
        services.interaction_add(customer=customer, staff=request.user, **form.cleaned_data)
        form = None
    else:
        status = 400
    context = {"customer": customer, "quick": quick, "saved": form is None,
               "interaction_form": form if (form and not quick) else forms.InteractionForm(),
               "quick_note_form": form if (form and quick) else forms.QuickNoteForm(),
               "interactions": selectors.interactions_for_customer(customer=customer)}
    return _partial_or_redirect(request, "teller/_interaction_saved.html", context, status, customer)


@login_required
@permission_required("customers.add_consentrecord", raise_exception=True)
@require_POST
def consent_update(request, customer_no):
    customer = customer_open(request, customer_no=customer_no)
    form = forms.ConsentForm(request.POST)
    status = 200
    if form.is_valid():
        services.consent_record(customer=customer, recorded_by=request.user, source=ConsentSource.COUNTER,
                                **form.cleaned_data)
        form = forms.ConsentForm()
    else:
        status = 400
    context = {"customer": customer, "consent_form": form, "saved": status == 200,
               "consents": selectors.consents_current(customer=customer),
               "consent_history": selectors.consent_history(customer=customer, limit=20)}
    return _partial_or_redirect(request, "teller/_consent_saved.html", context, status, customer)


@login_required
@permission_required("customers.change_customer_contact", raise_exception=True)
@require_GET
def contact_form(request, customer_no):
    customer = customer_open(request, customer_no=customer_no)
    context = {"customer": customer, "contact_form": forms.ContactForm(initial=_contact_initial(customer))}
    return render(request, "teller/_contact.html", context)


@login_required
@permission_required("customers.change_customer_contact", raise_exception=True)
@require_POST
def contact_update(request, customer_no):
    customer = customer_open(request, customer_no=customer_no)
    form = forms.ContactForm(request.POST)
    status, changed = 200, None
    if form.is_valid():
        try:
            changed = services.customer_update_contact(customer=customer, changed_by=request.user,
                                                       data=form.changes(), change_reason="teller page")
            form = forms.ContactForm(initial=_contact_initial(customer))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            status = 400
    else:
        status = 400
    # the header and the profile facts show these fields too: they come along as out-of-band swaps, so the
    # page keeps its scroll position and a revealed ID number stays revealed
    context = {"customer": customer, "contact_form": form, "saved": bool(changed),
               "unchanged": changed is not None and not changed}
    return _partial_or_redirect(request, "teller/_contact_saved.html", context, status, customer)


@login_required
@permission_required("customers.reveal_customer_pii", raise_exception=True)
@require_POST
def reveal_id(request, customer_no):
    # its record is the reveal row below, with the reason; a refused reveal shows nothing
    customer = selectors.customer_get(customer_no=customer_no, user=request.user)
    form = forms.RevealForm(request.POST)
    if not form.is_valid():
        return render(request, "teller/_reveal.html", {"customer": customer, "reveal_form": form}, status=400)
    services.customer_access_record(customer=customer, user=request.user, via=AccessVia.PAGE,
                                    action=AccessAction.REVEAL, field="id_number",
                                    reason=form.cleaned_data["reason"], ip_address=client_ip(request))
    return no_store(render(request, "teller/_reveal.html", {"customer": customer, "revealed": customer.id_number}))


def _partial_or_redirect(request, template, context, status, customer):
    if request.htmx:
        return render(request, template, context, status=status)
    if status >= 400:
        return HttpResponseBadRequest(render(request, template, context).content)
    return redirect(reverse("teller:customer", kwargs={"customer_no": customer.customer_no}))
