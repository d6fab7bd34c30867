"""The customer profile in the admin: edits through the services, masked identifiers, history as a diff."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from crm_site.admin_tools import ReadOnlyTabularInline
from crm_site.http import client_ip
from customers import history, search, services
from customers.forms import CustomerAdminForm, RevealReasonForm
from customers.models import AccessAction, AccessVia, ConsentRecord, Customer, Interaction

from .filters import KycDueFilter, TierFilter
from .merging import MergeViewsMixin
from .scope import CustomerScopedAdminMixin

IDENTITY_FORM_FIELDS = ["full_name", "gender", "date_of_birth", "id_type", "new_id_number", "id_expiry"]
ADMIN_SEARCH_LIMIT = 200
CHANGE_REASON = "admin"


class ConsentInline(ReadOnlyTabularInline):
    model = ConsentRecord
    fields = ["channel", "granted", "source", "recorded_by", "at"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class InteractionInline(ReadOnlyTabularInline):
    model = Interaction
    fields = ["at", "kind", "channel", "staff", "text"]
    readonly_fields = fields
    show_change_link = False
    max_num = 20

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff")


def customer_inlines_add(*inlines) -> None:
    """For the floors above: show their rows of a customer (accounts, cards) on the customer's admin page."""
    CustomerAdmin.inlines = [*CustomerAdmin.inlines, *(i for i in inlines if i not in CustomerAdmin.inlines)]


@admin.register(Customer)
class CustomerAdmin(CustomerScopedAdminMixin, MergeViewsMixin, SimpleHistoryAdmin):
    customer_paths = ("",)  # the row is the customer: admins every profile (tombstones too), managers their branch's
    form = CustomerAdminForm
    change_form_template = "admin/customers/customer/change_form.html"
    list_display = ["customer_no", "full_name", "masked_id_number", "masked_mobile", "home_branch", "segment",
                    "status", "kyc_status", "kyc_review_date"]
    list_filter = ["home_branch", "status", "segment", TierFilter, KycDueFilter, "kyc_status", "risk_rating"]
    search_fields = ["=customer_no"]  # shows the box; the search itself is the teller's (get_search_results)
    search_help_text = gettext_lazy("A name (characters, pinyin or initials), mobile, ID, account, card or "
                                    "customer number: the teller's one-box search.")
    list_select_related = ["home_branch"]
    autocomplete_fields = ["home_branch"]
    raw_id_fields = ["relationship_manager"]
    readonly_fields = ["masked_id_number", "created_at", "updated_at"]
    inlines = [ConsentInline, InteractionInline]
    show_full_result_count = False
    fieldsets = [
        (gettext_lazy("Identity"), {"fields": ["customer_no", "full_name", "gender", "date_of_birth", "id_type",
                                               "masked_id_number", "new_id_number", "id_expiry"]}),
        (gettext_lazy("Contact"), {"fields": ["mobile", "email", "address", "city"]}),
        (gettext_lazy("Service preferences"), {"fields": ["preferred_name", "salutation", "preferred_language",
                                                          "preferred_contact_channel", "preferred_contact_time",
                                                          "service_notes", "do_not_contact"]}),
        (gettext_lazy("KYC and risk"), {"fields": ["kyc_status", "kyc_review_date", "risk_rating"]}),
        (gettext_lazy("Relationship"), {"fields": ["home_branch", "relationship_manager", "segment", "status",
                                                   "occupation", "employer", "income_band", "created_at",
                                                   "updated_at"]}),
    ]

    @admin.display(description=gettext_lazy("ID number"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=gettext_lazy("mobile"))
    def masked_mobile(self, obj):
        return obj.masked_mobile

    @admin.display(description=gettext_lazy("email"))
    def masked_email(self, obj):
        return obj.masked_email

    # --- who sees what -------------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("customer_no")
            if not request.user.has_perm("customers.change_customer_identity"):
                readonly += [f for f in IDENTITY_FORM_FIELDS if f != "new_id_number"]
            if not self.has_change_permission(request, obj):
                readonly += ["masked_mobile", "masked_email"]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        hidden = set()
        masked = {}
        if not request.user.has_perm("customers.change_customer_identity"):
            hidden.add("new_id_number")
        if not self.has_change_permission(request, obj):
            masked = {"mobile": "masked_mobile", "email": "masked_email"}  # read-only: masked like everywhere
        return [(name, {**opts, "fields": [masked.get(f, f) for f in opts["fields"] if f not in hidden]})
                for name, opts in fieldsets]

    def get_search_results(self, request, queryset, search_term):
        """The teller's one-box search over the admin's (filtered) list, tombstones included."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if self.identifier_refused(request, term):
            return queryset.none(), False
        found = search.customers_search(query=term, base=queryset, limit=ADMIN_SEARCH_LIMIT)
        return queryset.filter(pk__in=[customer.pk for customer in found.customers]), False

    # --- reading and writing -------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        data = dict(getattr(form, "service_data", {}))
        if change:
            fresh = Customer.objects.get(pk=obj.pk)
            services.customer_update(customer=fresh, changed_by=request.user, data=data, change_reason=CHANGE_REASON)
            obj.pk = fresh.pk
        else:
            fields = {k: v for k, v in data.items() if k not in {"customer_no", "full_name", "home_branch"}}
            created = services.customer_create(customer_no=form.cleaned_data["customer_no"],
                                               full_name=form.cleaned_data["full_name"],
                                               home_branch=form.cleaned_data["home_branch"],
                                               changed_by=request.user, change_reason=CHANGE_REASON, **fields)
            obj.pk = created.pk
            obj._state.adding = False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.merged_into_id is not None:
            return False  # a tombstone is a record of the merge; the survivor is the profile to correct
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a profile is never deleted: duplicates are merged, leavers closed

    # --- extra pages: the history as a diff, revealing the ID number ------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/reveal-id/", self.admin_site.admin_view(self.reveal_id_view),
                 name="{}_{}_reveal_id".format(*info)),
            *super().get_urls(),
        ]

    def _customer_or_404(self, request, object_id) -> Customer:
        customer = self.get_object(request, unquote(object_id))
        if customer is None:
            raise Http404
        if not self.has_view_or_change_permission(request, customer):
            raise PermissionDenied
        return customer

    def history_view(self, request, object_id, extra_context=None):
        """Who changed what, when and through which entry point: one entry per change, field by field."""
        customer = self._customer_or_404(request, object_id)
        if not request.user.has_perm("customers.view_historicalcustomer"):
            raise PermissionDenied
        entries = history.customer_history(customer=customer, user=request.user, page=request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % customer, "object": customer, "opts": self.opts,
            "module_name": capfirst(self.opts.verbose_name_plural), "entries": entries, **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/customers/customer/object_history.html", context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """No reverting to an old version: a revert would bypass the services. The diff is the history."""
        return HttpResponseRedirect(reverse("admin:customers_customer_history", args=[unquote(object_id)]))

    def revert_disabled(self, request, obj=None):
        return True

    def reveal_id_view(self, request, object_id):
        """The full ID number, for staff who may reveal it, with a reason on record (like the teller's)."""
        customer = self._customer_or_404(request, object_id)
        if not request.user.has_perm("customers.reveal_customer_pii"):
            raise PermissionDenied
        form = RevealReasonForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "title": _("Reveal the ID number of %s") % customer,
                   "original": customer, "opts": self.opts, "form": form}
        status = 200
        if request.method == "POST":
            if form.is_valid():
                services.customer_access_record(customer=customer, user=request.user, via=AccessVia.ADMIN,
                                                action=AccessAction.REVEAL, field="id_number",
                                                reason=form.cleaned_data["reason"], ip_address=client_ip(request))
                context["revealed"] = customer.id_number
                messages.info(request, _("Your reason is in the access record."))
            else:
                status = 400
        response = TemplateResponse(request, "admin/customers/customer/reveal_id.html", context, status=status)
        response["Cache-Control"] = "no-store"
        return response
