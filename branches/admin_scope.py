"""Admin pages with no equivalent in the app (logins, groups, tokens, lockouts): for bank admins only."""

from __future__ import annotations

from django.contrib import admin

from crm_site.admin_tools import ScopedAdminMixin

from .selectors import is_bank_admin


class BankAdminsOnlyMixin(ScopedAdminMixin):
    """Managers lose the page (403), whatever model permissions their group holds; admins see every row."""

    def reader_allowed(self, request) -> bool:
        return is_bank_admin(request.user)

    def scope_rows(self, request, queryset):
        return queryset if is_bank_admin(request.user) else queryset.none()


def bank_admins_only(model, *mixins) -> None:
    """Register another app's ModelAdmin of `model` again, for bank admins only (plus `mixins`)."""
    if not admin.site.is_registered(model):
        return
    original = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(original.__name__, (*mixins, BankAdminsOnlyMixin, original), {}))
