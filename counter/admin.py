"""Counters and each branch's routing rules: managers keep their own branch's, admins every branch's.
Tickets are read-only here (the kiosk and the counters write them)."""

from django.contrib import admin

from branches.selectors import branches_visible_to
from crm_site.admin_tools import ReadOnlyAdminMixin, ScopedAdminMixin

from .forms import CounterSettingsForm
from .models import Counter, CounterSettings, Ticket


class BranchScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A manager sees and edits only their own branch's rows (branches_visible_to: admins see all)."""

    def scope_rows(self, request, queryset):
        return queryset.filter(branch__in=branches_visible_to(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "branch":
            kwargs["queryset"] = branches_visible_to(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Counter)
class CounterAdmin(BranchScopedAdmin):
    list_display = ["code", "branch", "kind", "is_open", "teller", "opened_at"]
    list_filter = ["kind", "is_open", "branch"]
    list_select_related = ["branch", "teller"]
    fields = ["branch", "code", "kind"]  # opening and closing is the teller's, at the counter


@admin.register(CounterSettings)
class CounterSettingsAdmin(BranchScopedAdmin):
    form = CounterSettingsForm
    list_display = ["branch", "vip_tiers", "service_queues"]
    list_select_related = ["branch"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, BranchScopedAdmin):
    list_display = ["number", "day", "branch", "queue", "service", "status", "identifier_kind", "issued_at",
                    "called_at", "done_at", "counter"]
    list_filter = ["day", "queue", "service", "status", "branch"]
    list_select_related = ["branch", "counter"]
    # the customer is not listed: opening a profile from here would be a read outside the access log
    exclude = ["customer"]
