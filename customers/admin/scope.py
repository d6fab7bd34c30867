"""The admin's rule for rows about customers (DESIGN §8): a reader sees in /admin/ the customers' rows the
profile-care pages show them (access.record_scope: an admin every customer, a manager their branch's), and
every page that shows them is a read on record in the access log (entry point `admin`).

Floors above use it for their customer-keyed rows (accounts, cards, transactions, scores, campaign
recipients), naming where the row's customer is (`customer_paths`).
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote

from crm_site.admin_tools import ScopedAdminMixin
from crm_site.exceptions import NotAllowed
from crm_site.http import client_ip
from customers import access, services
from customers.models import AccessVia


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


class CustomerScopedAdminMixin(ScopedAdminMixin):
    customer_paths: tuple[str, ...] = ("customer",)  # where the row's customer is; "" when the row is one
    scope_permission = "customers.view_customer"
    log_reads = True  # False only where the rows are not the customer's data (the access log itself)

    def scope_rows(self, request, queryset):
        try:
            branch_id = access.record_scope(user=request.user, permission=self.scope_permission)
        except NotAllowed:
            return queryset.none()
        if branch_id is None:
            return queryset
        for path in self.customer_paths:
            queryset = queryset.filter(**{_path(path, "home_branch_id"): branch_id})
        return queryset

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self.customer_reads_record(request, [row.pk for row in changelist.result_list])
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and self.has_view_or_change_permission(request, obj):
                self.customer_reads_record(request, [obj.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def customer_reads_record(self, request, pks: list) -> None:
        """The customers of these rows, one access-log row each."""
        if not self.log_reads or not pks:
            return
        customer_ids: set[int] = set()
        for path in self.customer_paths:
            if not path:
                customer_ids.update(pks)
                continue
            rows = self.model._default_manager.filter(pk__in=pks)
            customer_ids.update(rows.values_list(_path(path, "id"), flat=True))
        customer_ids.discard(None)
        services.customers_access_record(customer_ids=customer_ids, user=request.user, via=AccessVia.ADMIN,
                                         ip_address=client_ip(request))
