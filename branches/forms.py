"""The sign-in forms (site and admin)."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class UsernameLengthMixin:
    """A username longer than any login is a form error, before anyone tries to authenticate it.

    Django's form sets the username's maxlength only on the widget; the browser honours it, a script
    doesn't. Unchecked, the failed attempt is recorded by django-axes in a varchar(255): a 500.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthMixin, AdminAuthenticationForm):
    pass
