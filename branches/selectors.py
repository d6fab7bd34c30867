from django.contrib.auth.models import AbstractBaseUser

from .models import Branch, Role, StaffProfile


def staff_profile_get(*, user: AbstractBaseUser) -> StaffProfile | None:
    """The user's branch and role; read once per request (the navigation and the view both ask)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_staff_profile_cache"):
        user._staff_profile_cache = StaffProfile.objects.select_related("branch").filter(user=user).first()
    return user._staff_profile_cache


def is_bank_admin(user: AbstractBaseUser | None) -> bool:
    """The one answer to "is this an admin?": a staff member whose role is admin, or a superuser made by
    `createsuperuser`. Admins see and act on every branch; everyone else on their own branch at most."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    profile = staff_profile_get(user=user)
    return profile is not None and profile.role == Role.ADMIN


def branches_visible_to(*, user: AbstractBaseUser):
    """Admins (and superusers) see every branch; other staff their own."""
    if is_bank_admin(user):
        return Branch.objects.all()
    profile = staff_profile_get(user=user)
    return Branch.objects.filter(pk=profile.branch_id) if profile else Branch.objects.none()
