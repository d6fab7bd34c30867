"""The access record and the profile history as pages: for managers (their branch) and admins (all).

Who may read what is decided in customers.access.record_scope; these views only check the permission
(tellers get 403), read the filters and render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from crm_site.exceptions import NotAllowed
from crm_site.http import personal_data_mark

from . import access, history
from .forms import AccessFilterForm
from .models import Customer
from .reading import customer_read_record

ROWS_PER_PAGE = 50
FILTERS = ("date_from", "date_to", "customer", "staff", "via", "action")


def _customer(customer_no: str) -> Customer:
    """Any profile by its number, tombstones too: their record is part of the record."""
    return get_object_or_404(Customer.objects.select_related("home_branch", "merged_into"), customer_no=customer_no)


def _in_scope(user, customer: Customer, permission: str) -> None:
    if not access.customers_in_scope(user=user, permission=permission).filter(pk=customer.pk).exists():
        raise NotAllowed(_("You may read the records of your own branch's customers only."))


def _access_page(request, *, template: str, fixed: dict, context: dict):
    """The filter form, a page of rows, and the CSV link with the same filters."""
    form = AccessFilterForm(request.GET or None, fixed=tuple(fixed))
    status = 200
    rows, query = None, dict(fixed_query(fixed))
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        rows = access.access_log_for_user(
            user=request.user, date_from=data.get("date_from"), date_to=data.get("date_to"),
            customer=fixed.get("customer", data.get("customer")),
            staff_id=fixed["staff"].pk if "staff" in fixed else getattr(data.get("staff"), "pk", None),
            via=data.get("via") or "", action=data.get("action") or "")
        rows = Paginator(rows, ROWS_PER_PAGE).get_page(data.get("page"))
        query.update({name: request.GET[name] for name in FILTERS if request.GET.get(name) and name not in fixed})
    context.update({"form": form, "rows": rows, "filter_query": urlencode(query),
                    "page_query": urlencode({k: v for k, v in query.items() if k not in fixed})})
    return render(request, template, context, status=status)


def fixed_query(fixed: dict) -> dict:
    query = {}
    if "customer" in fixed:
        query["customer"] = fixed["customer"].customer_no
    if "staff" in fixed:
        query["staff"] = fixed["staff"].username
    return query


@login_required
@permission_required("customers.view_customeraccesslog", raise_exception=True)
@require_GET
def access_list(request):
    access.record_scope(user=request.user)
    return _access_page(request, template="customers/access_list.html", fixed={},
                        context={"unusual": access.unusual_access(user=request.user),
                                 "unusual_threshold": settings.ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY})


@login_required
@permission_required("customers.view_customeraccesslog", raise_exception=True)
@require_GET
def access_for_customer(request, customer_no: str):
    customer = _customer(customer_no)
    _in_scope(request.user, customer, "customers.view_customeraccesslog")
    personal_data_mark(request)  # the record itself, not the profile's data: not a look at the customer
    return _access_page(request, template="customers/access_customer.html", fixed={"customer": customer},
                        context={"customer": customer})


@login_required
@permission_required("customers.view_customeraccesslog", raise_exception=True)
@require_GET
def access_for_staff(request, user_id: int):
    access.record_scope(user=request.user)
    staff = get_object_or_404(get_user_model().objects.select_related("staff_profile__branch"), pk=user_id)
    return _access_page(request, template="customers/access_staff.html", fixed={"staff": staff},
                        context={"staff": staff})


@login_required
@permission_required("customers.view_customeraccesslog", raise_exception=True)
@require_GET
def access_csv(request):
    """The rows of the list's filters as a CSV download, customer identifiers masked."""
    form = AccessFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "customers/access_list.html", {"form": form, "rows": None}, status=400)
    data = form.cleaned_data
    if data.get("customer") is not None:
        _in_scope(request.user, data["customer"], "customers.view_customeraccesslog")
    rows = access.access_log_for_user(user=request.user, date_from=data.get("date_from"), date_to=data.get("date_to"),
                                      customer=data.get("customer"), staff_id=getattr(data.get("staff"), "pk", None),
                                      via=data.get("via") or "", action=data.get("action") or "")
    response = StreamingHttpResponse(access.access_log_csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-record-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("customers.view_historicalcustomer", raise_exception=True)
@require_GET
def customer_history(request, customer_no: str):
    customer = _customer(customer_no)
    entries = history.customer_history(customer=customer, user=request.user, page=request.GET.get("page"))
    customer_read_record(request, customer=customer)  # its past addresses and masked identifiers
    return render(request, "customers/history.html", {"customer": customer, "entries": entries})
