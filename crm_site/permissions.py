"""API permissions: the Django model permissions of DESIGN §8, held by the role groups."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission


class HasRequiredPermissions(BasePermission):
    """Lets a request through when the user holds every permission in the view's `required_permissions`.

    DRF's DjangoModelPermissions asks nothing for reads and knows only add/change/delete;
    DESIGN §8 needs a permission for reading profiles and custom ones (reveal, contact), so
    each view names its own.
    """

    def has_permission(self, request, view) -> bool:
        required = getattr(view, "required_permissions", None)
        if not required:
            raise ImproperlyConfigured(f"{type(view).__name__} must name its required_permissions")
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms(required))
