"""Small building blocks shared by the apps' admin modules.

`ScopedAdminMixin` is the one rule of the admin (DESIGN §8): a reader sees in `/admin/` no more than
the app shows them. Every registered ModelAdmin uses it (tests/test_admin_permissions.py checks the
registry), and says whose rows each reader sees in `scope_rows`, with the app's own selectors: the
customer floor narrows by customer (customers.admin.scope), campaigns by campaign, reference tables
show every row (`AllRowsAdminMixin`), and pages the app has no equivalent of are for bank admins only
(branches.admin_scope). The per-object permissions, the choices of foreign keys (selects, raw-id and
autocomplete look-ups) and the related-field list filters all follow the same scope.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from .pii import looks_like_identifier


class ScopedAdminMixin:
    """Narrows the queryset, the per-object permissions and the look-ups to what the reader may see."""

    def scope_rows(self, request, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` this request's user may see, by the app's rule for them."""
        raise ImproperlyConfigured(f"{type(self).__name__} must say whose rows each reader sees (scope_rows)")

    def reader_allowed(self, request) -> bool:
        """Whether this page is open to the user at all (beyond the model permissions)."""
        return True

    def get_queryset(self, request):
        return self.scope_rows(request, super().get_queryset(request))

    def identifier_refused(self, request, search_term: str) -> bool:
        """The admin's search box is a GET: an ID, mobile, card or account number searched for there would stay
        in the address, the browser's history and the next Referer. Refuse it and point to the search page,
        which posts (the message never repeats the number)."""
        if not looks_like_identifier(search_term):
            return False
        messages.error(request, _("Search by ID, mobile, card or account number on the customer search page "
                                  "(%(url)s): the admin's search would put the number in the address.")
                       % {"url": reverse("teller:search")})
        return True

    def get_search_results(self, request, queryset, search_term):
        if self.identifier_refused(request, search_term.strip()):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def in_scope(self, request, obj) -> bool:
        if obj is None:
            return True
        cache = request.__dict__.setdefault("_admin_scope_cache", {})
        key = (self.model._meta.label, obj.pk)
        if key not in cache:
            rows = self.model._default_manager.filter(pk=obj.pk)
            cache[key] = self.scope_rows(request, rows).exists()
        return cache[key]

    def has_module_permission(self, request):
        return self.reader_allowed(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return (self.reader_allowed(request) and super().has_view_permission(request, obj)
                and self.in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        return (self.reader_allowed(request) and super().has_change_permission(request, obj)
                and self.in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        return (self.reader_allowed(request) and super().has_delete_permission(request, obj)
                and self.in_scope(request, obj))

    def has_add_permission(self, request, *args):
        return self.reader_allowed(request) and super().has_add_permission(request, *args)

    def get_field_queryset(self, db, db_field, request):
        """A foreign key's choices (select, raw-id check, autocomplete) are the rows its own admin shows."""
        try:
            related_admin = self.admin_site.get_model_admin(db_field.remote_field.model)
        except NotRegistered:
            return super().get_field_queryset(db, db_field, request)
        if not isinstance(related_admin, ScopedAdminMixin):
            return super().get_field_queryset(db, db_field, request)
        rows = related_admin.get_queryset(request).using(db)
        ordering = related_admin.get_ordering(request)
        return rows.order_by(*ordering) if ordering else rows

    def get_list_filter(self, request):
        """Related-field filters list only the rows the related admin shows this reader."""
        return [_scoped_filter(self.model, entry) for entry in super().get_list_filter(request)]


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        try:
            related_admin = model_admin.admin_site.get_model_admin(field.remote_field.model)
        except NotRegistered:
            return []  # a table without an admin page: not something to browse by
        if not related_admin.has_view_permission(request):
            return []
        rows = related_admin.get_queryset(request)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            rows = rows.order_by(*ordering)
        return [(row.pk, str(row)) for row in rows]


def _scoped_filter(model, entry):
    if not isinstance(entry, str):
        return entry
    try:
        field = get_fields_from_path(model, entry)[-1]
    except FieldDoesNotExist:
        return entry
    if getattr(field, "remote_field", None) is None:
        return entry
    return (entry, ScopedRelatedFieldListFilter)


class AllRowsAdminMixin(ScopedAdminMixin):
    """Tables that belong to no branch (products, merchant categories, branches, score runs): every reader
    with the model permission sees every row, as in the app."""

    def scope_rows(self, request, queryset):
        return queryset


class ReadOnlyAdminMixin:
    """For facts that come from other systems or are append-only: viewable, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True
    can_delete = False
