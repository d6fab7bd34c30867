"""Read-mostly admin: campaigns are drafted, approved and launched in the app (services enforce the
rules there); the admin lists them, links to the app's page, and shows recipients and the outbox."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm_site.admin_tools import ReadOnlyAdminMixin
from customers.admin import CustomerScopedAdminMixin

from .models import Campaign, CampaignRecipient, CampaignResult, OutboxMessage
from .selectors import user_scope


def _app_url(campaign_id: int) -> str | None:
    try:
        return reverse("campaigns:detail", args=[campaign_id])
    except NoReverseMatch:  # the app's campaign pages are not installed
        return None


class CampaignScopedAdminMixin(CustomerScopedAdminMixin):
    """Rows of a campaign: a reader sees those of the campaigns the app shows them (selectors.user_scope: an
    admin every campaign, a manager their branch's); rows naming a customer are reads on record."""

    campaign_path = "campaign"  # where the row's campaign is; "" when the row is one
    customer_paths = ()

    def scope_rows(self, request, queryset):
        scope = user_scope(user=request.user)
        if not scope.allowed:
            return queryset.none()
        if scope.everything:
            return queryset
        prefix = f"{self.campaign_path}__" if self.campaign_path else ""
        return queryset.filter(**{f"{prefix}branch": scope.branch})


@admin.register(Campaign)
class CampaignAdmin(CampaignScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    campaign_path = ""
    list_display = ["id", "name", "product", "branch", "status", "created_by", "approved_by", "launched_at",
                    "completed_at", "app_page"]
    list_filter = ["status", "branch", "product__kind"]
    search_fields = ["name", "=product__code"]
    list_select_related = ["product", "branch", "created_by", "approved_by"]
    date_hierarchy = "created_at"
    readonly_fields = ["app_page"]

    def view_on_site(self, campaign: Campaign) -> str | None:
        return _app_url(campaign.pk)

    @admin.display(description=_("campaign page"))
    def app_page(self, campaign: Campaign) -> str:
        url = _app_url(campaign.pk)
        return format_html('<a href="{}">{}</a>', url, _("Open the campaign page")) if url else "—"


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(CampaignScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    customer_paths = ("customer",)
    list_display = ["id", "campaign", "customer", "channel", "holdout", "status", "skip_reason", "attempts",
                    "sent_at", "delivered_at", "response", "converted_at"]
    list_filter = ["status", "channel", "holdout", "skip_reason", "response"]
    search_fields = ["=customer__customer_no", "=campaign__id"]
    list_select_related = ["campaign", "customer"]
    raw_id_fields = ["campaign", "customer", "response_by"]
    show_full_result_count = False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(CampaignScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    campaign_path = "recipient__campaign"
    customer_paths = ("recipient__customer",)
    list_display = ["id", "channel", "status", "attempts", "created_at", "sent_at", "delivered_at", "error"]
    list_filter = ["status", "channel"]
    raw_id_fields = ["recipient"]
    show_full_result_count = False


@admin.register(CampaignResult)
class CampaignResultAdmin(CampaignScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["campaign", "computed_at"]
    raw_id_fields = ["campaign"]
