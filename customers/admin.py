from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from crm_site.admin_tools import ReadOnlyAdminMixin, ReadOnlyTabularInline
from crm_site.http import client_ip

from . import search, services
from .forms import CustomerAdminForm
from .models import AccessVia, ConsentRecord, Customer, CustomerAccessLog, Interaction

IDENTITY_FORM_FIELDS = ["full_name", "gender", "date_of_birth", "id_type", "new_id_number", "id_expiry"]


class ConsentInline(ReadOnlyTabularInline):
    model = ConsentRecord
    fields = ["channel", "granted", "source", "recorded_by", "at"]
    readonly_fields = fields
    show_change_link = False


class InteractionInline(ReadOnlyTabularInline):
    model = Interaction
    fields = ["at", "kind", "channel", "staff", "text"]
    readonly_fields = fields
    show_change_link = False
    max_num = 20


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    form = CustomerAdminForm
    list_display = ["customer_no", "full_name", "masked_id_number", "masked_mobile", "home_branch", "segment",
                    "status", "kyc_status"]
    list_filter = ["home_branch", "status", "segment", "kyc_status", "risk_rating"]
    search_fields = ["=customer_no", "full_name", "name_pinyin", "=name_initials"]
    list_select_related = ["home_branch"]
    autocomplete_fields = ["home_branch"]
    raw_id_fields = ["relationship_manager"]
    readonly_fields = ["masked_id_number", "created_at", "updated_at"]
    inlines = [ConsentInline, InteractionInline]
    history_list_display = ["full_name", "mobile", "status"]
    show_full_result_count = False
    fieldsets = [
        (_("Identity"), {"fields": ["customer_no", "full_name", "gender", "date_of_birth", "id_type",
                                    "masked_id_number", "new_id_number", "id_expiry"]}),
        (_("Contact"), {"fields": ["mobile", "email", "address", "city"]}),
        (_("Service preferences"), {"fields": ["preferred_name", "salutation", "preferred_language",
                                               "preferred_contact_channel", "preferred_contact_time",
                                               "service_notes", "do_not_contact"]}),
        (_("KYC and risk"), {"fields": ["kyc_status", "kyc_review_date", "risk_rating"]}),
        (_("Relationship"), {"fields": ["home_branch", "relationship_manager", "segment", "status", "occupation",
                                        "employer", "income_band", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("mobile"))
    def masked_mobile(self, obj):
        return obj.masked_mobile

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("customer_no")
            if not request.user.has_perm("customers.change_customer_identity"):
                readonly += [f for f in IDENTITY_FORM_FIELDS if f != "new_id_number"]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not request.user.has_perm("customers.change_customer_identity"):
            fieldsets = [(name, {**opts, "fields": [f for f in opts["fields"] if f != "new_id_number"]})
                         for name, opts in fieldsets]
        return fieldsets

    def get_search_results(self, request, queryset, search_term):
        """Besides names and numbers, an exact ID number or mobile finds the customer (through the HMAC)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        matched = search.identifier_matches(search_term)
        if matched:
            results = results | queryset.filter(pk__in=matched)
        return results, may_have_duplicates

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            customer = self.get_object(request, object_id)
            if customer is not None and self.has_view_or_change_permission(request, customer):
                services.customer_access_record(customer=customer, user=request.user, via=AccessVia.ADMIN,
                                                ip_address=client_ip(request))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        data = dict(getattr(form, "service_data", {}))
        if change:
            fresh = Customer.objects.get(pk=obj.pk)
            services.customer_update(customer=fresh, changed_by=request.user, data=data,
                                     change_reason="admin")
            obj.pk = fresh.pk
        else:
            fields = {k: v for k, v in data.items() if k not in {"customer_no", "full_name", "home_branch"}}
            created = services.customer_create(customer_no=form.cleaned_data["customer_no"],
                                               full_name=form.cleaned_data["full_name"],
                                               home_branch=form.cleaned_data["home_branch"],
                                               changed_by=request.user, **fields)
            obj.pk = created.pk
            obj._state.adding = False


@admin.register(CustomerAccessLog)
class CustomerAccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "customer", "via", "action", "field", "reason", "ip_address"]
    list_filter = ["via", "action"]
    search_fields = ["=customer__customer_no", "user__username"]
    list_select_related = ["user", "customer"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "customer", "channel", "granted", "source", "recorded_by"]
    list_filter = ["channel", "granted", "source"]
    search_fields = ["=customer__customer_no"]
    list_select_related = ["customer", "recorded_by"]


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "customer", "kind", "channel", "staff"]
    list_filter = ["kind", "channel"]
    search_fields = ["=customer__customer_no", "text"]
    list_select_related = ["customer", "staff"]
