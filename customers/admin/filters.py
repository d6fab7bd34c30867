"""List filters of the customer admin that plain field filters cannot express."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, KycStatus

KYC_SOON_DAYS = 30


def _tier_field():
    """The value tier of the scores floor, reached through the relation it adds ("score"); None before it exists."""
    try:
        return Customer._meta.get_field("score").related_model._meta.get_field("tier")
    except (FieldDoesNotExist, AttributeError):
        return None


class TierFilter(admin.SimpleListFilter):
    title = _("value tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        field = _tier_field()
        return list(field.choices) if field is not None and field.choices else None

    def queryset(self, request, queryset):
        if self.value() and _tier_field() is not None:
            return queryset.filter(score__tier=self.value())
        return queryset


class KycDueFilter(admin.SimpleListFilter):
    title = _("KYC review due")
    parameter_name = "kyc_due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")),
                ("soon", _("Due within %(days)s days") % {"days": KYC_SOON_DAYS})]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(Q(kyc_review_date__lt=today) | Q(kyc_status=KycStatus.REVIEW_DUE))
        if self.value() == "soon":
            return queryset.filter(kyc_review_date__gte=today,
                                   kyc_review_date__lte=today + dt.timedelta(days=KYC_SOON_DAYS))
        return queryset
