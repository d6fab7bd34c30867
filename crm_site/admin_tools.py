"""Small building blocks shared by the apps' admin modules."""

from django.contrib import admin


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
