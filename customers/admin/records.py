"""Records about profiles in the admin: read-only, narrowed like the app's access-record pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm_site.admin_tools import ReadOnlyAdminMixin
from customers.models import ConsentRecord, CustomerAccessLog, CustomerMerge, DuplicateDismissal, Interaction

from .scope import CustomerScopedAdminMixin


@admin.register(CustomerAccessLog)
class CustomerAccessLogAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The rows the app's access-record pages show this user: a manager their branch's customers'."""

    scope_permission = "customers.view_customeraccesslog"
    log_reads = False  # reading the record of reads is oversight, not a look at the customer's data
    list_display = ["at", "user", "customer", "via", "action", "field", "reason", "ip_address"]
    list_filter = ["via", "action"]
    search_fields = ["=customer__customer_no", "user__username"]
    list_select_related = ["user", "customer"]
    date_hierarchy = "at"
    show_full_result_count = False



@admin.register(ConsentRecord)
class ConsentRecordAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "customer", "channel", "granted", "source", "recorded_by"]
    list_filter = ["channel", "granted", "source"]
    search_fields = ["=customer__customer_no"]
    list_select_related = ["customer", "recorded_by"]


@admin.register(Interaction)
class InteractionAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "customer", "kind", "channel", "staff"]
    list_filter = ["kind", "channel"]
    search_fields = ["=customer__customer_no", "text"]
    list_select_related = ["customer", "staff"]


@admin.register(CustomerMerge)
class CustomerMergeAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who merged which profile into which, the values kept and the rows moved. Merges are made on the
    duplicates page, never here."""

    customer_paths = ("merged", "survivor")

    list_display = ["at", "merged", "survivor", "merged_by"]
    search_fields = ["=merged__customer_no", "=survivor__customer_no"]
    list_select_related = ["merged", "survivor", "merged_by"]
    fields = ["at", "merged", "survivor", "merged_by", "field_choices", "moved", "kept", "deleted"]
    readonly_fields = fields
    date_hierarchy = "at"


@admin.register(DuplicateDismissal)
class DuplicateDismissalAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Pairs said to be two people. Deleting one lists the pair among the duplicates again."""

    customer_paths = ("customer_a", "customer_b")

    list_display = ["at", "customer_a", "customer_b", "dismissed_by", "compare"]
    search_fields = ["=customer_a__customer_no", "=customer_b__customer_no"]
    list_select_related = ["customer_a", "customer_b", "dismissed_by"]

    @admin.display(description=_("compare"))
    def compare(self, obj):
        url = reverse("admin:customers_customer_merge") + f"?a={obj.customer_a_id}&b={obj.customer_b_id}"
        return format_html('<a href="{}">{}</a>', url, _("Side by side"))

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("customers.merge_customers") and self.in_scope(request, obj)
