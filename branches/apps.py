from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.core import checks
from django.utils.translation import gettext_lazy as _


class BranchesConfig(AppConfig):
    name = "branches"
    verbose_name = _("Branches and staff")

    def ready(self):
        # these read models: not importable before the registry is ready
        from .checks import mfa_required_roles_check
        from .mfa import session_note_enrolment

        checks.register(mfa_required_roles_check, checks.Tags.security)

        # every way of signing in (the login's steps, the admin's form, the test client) notes it once,
        # so the two-factor check of each request needs no query
        user_logged_in.connect(session_note_enrolment, dispatch_uid="branches.mfa.session_note_enrolment")
