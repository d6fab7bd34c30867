from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm_site.admin_tools import AllRowsAdminMixin, ReadOnlyAdminMixin, ReadOnlyTabularInline, ScopedAdminMixin
from customers.admin import CustomerScopedAdminMixin

from .models import IngestBatch, MerchantCategory, RejectedRow, Transaction
from .selectors import batches_for_user


@admin.register(MerchantCategory)
class MerchantCategoryAdmin(AllRowsAdminMixin, admin.ModelAdmin):
    list_display = ["mcc", "description", "category"]
    list_filter = ["category"]
    list_editable = ["category"]
    search_fields = ["mcc", "description"]


@admin.register(Transaction)
class TransactionAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "channel", "external_id", "account", "direction", "amount", "currency",
                    "merchant_name", "mcc"]
    list_filter = ["channel", "direction", "currency"]
    search_fields = ["=external_id", "=account__account_no", "=customer__customer_no"]
    list_select_related = ["account"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    raw_id_fields = ["account", "customer", "batch"]


class RejectedRowInline(ReadOnlyTabularInline):
    model = RejectedRow
    fields = ["row_number", "raw", "reasons", "replayed_at"]
    readonly_fields = fields
    show_change_link = False


@admin.register(IngestBatch)
class IngestBatchAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    def scope_rows(self, request, queryset):
        """The batches of the app's batch pages (batches_for_user)."""
        return queryset.filter(pk__in=batches_for_user(user=request.user).order_by().values("pk"))

    list_display = ["id", "source", "file_name", "status", "received", "inserted", "duplicates", "rejected",
                    "attempts", "created_at", "finished_at", "created_by", "app_page"]
    list_filter = ["status", "source", "channel_hint"]
    search_fields = ["file_name", "=file_sha256"]
    exclude = ["touched_customer_ids"]  # up to every customer of the bank; the count is enough here
    readonly_fields = ["touched_customers", "app_page"]
    inlines = [RejectedRowInline]

    def view_on_site(self, batch: IngestBatch) -> str:
        return reverse("transactions:batch-detail", args=[batch.pk])

    @admin.display(description=_("batch page"))
    def app_page(self, batch: IngestBatch) -> str:
        """Progress, rejected rows with their reasons, the CSV and the replay live on the app's batch page."""
        return format_html('<a href="{}">{}</a>', self.view_on_site(batch), _("Open the batch page"))

    @admin.display(description=_("customers touched"))
    def touched_customers(self, batch: IngestBatch) -> int:
        return len(batch.touched_customer_ids)


@admin.register(RejectedRow)
class RejectedRowAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    def scope_rows(self, request, queryset):
        """The rejected rows of the batches the app's batch pages show this user (batches_for_user)."""
        if not request.user.has_perm("transactions.view_rejectedrow"):
            return queryset.none()
        return queryset.filter(batch__in=batches_for_user(user=request.user).order_by().values("pk"))

    list_display = ["batch", "row_number", "reasons", "replayed_at"]
    list_filter = ["batch"]
    raw_id_fields = ["batch"]
