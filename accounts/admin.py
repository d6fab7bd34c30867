from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crm_site.admin_tools import AllRowsAdminMixin, ReadOnlyAdminMixin, ReadOnlyTabularInline
from customers.admin import CustomerScopedAdminMixin, customer_inlines_add

from .models import Account, Card, FxRate, Product


@admin.register(Product)
class ProductAdmin(AllRowsAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "kind", "launched_at", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "name_en"]


class CardInline(ReadOnlyTabularInline):
    model = Card
    fields = ["masked_pan", "kind", "status", "expiry"]
    readonly_fields = fields


@admin.register(Account)
class AccountAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Accounts come from the core banking system: the CRM shows them, never edits them."""

    list_display = ["account_no", "customer", "product", "branch", "currency", "balance", "balance_as_of", "status"]
    list_filter = ["status", "product__kind", "branch", "currency"]
    search_fields = ["=account_no", "=customer__customer_no"]
    list_select_related = ["customer", "product", "branch"]
    inlines = [CardInline]
    show_full_result_count = False


class CustomerAccountInline(ReadOnlyTabularInline):
    """A customer's accounts on the customer's admin page (customers.admin cannot import this floor)."""

    model = Account
    fields = ["account_no", "product", "branch", "currency", "balance", "balance_as_of", "status", "opened_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "branch")


class CustomerCardInline(ReadOnlyTabularInline):
    model = Card
    fields = ["masked_pan", "kind", "status", "expiry", "account"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


customer_inlines_add(CustomerAccountInline, CustomerCardInline)


@admin.register(Card)
class CardAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["masked_pan", "customer", "account", "kind", "status", "expiry"]
    list_filter = ["kind", "status"]
    search_fields = ["=customer__customer_no", "=pan_last4"]
    list_select_related = ["customer", "account"]
    fields = ["masked_pan", "customer", "account", "kind", "status", "expiry"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("card number"))
    def masked_pan(self, obj):
        return obj.masked_pan


@admin.register(FxRate)
class FxRateAdmin(AllRowsAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rates come from the bank's treasury feed (import_records fx_rates, the upload page): shown, never edited."""

    list_display = ["currency", "rate_date", "rate", "loaded_at"]
    list_filter = ["currency"]
    search_fields = ["=currency"]
    date_hierarchy = "rate_date"
    show_full_result_count = False
