"""System checks of the staff settings: a misspelt role in MFA_REQUIRED_ROLES would require nothing, silently."""

from django.conf import settings
from django.core.checks import Error

from .models import Role


def mfa_required_roles_check(app_configs, **kwargs) -> list[Error]:
    unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [Error(f"MFA_REQUIRED_ROLES names roles that do not exist: {', '.join(unknown)}",
                  hint=f"Use any of: {', '.join(Role.values)}.", id="branches.E001")]
