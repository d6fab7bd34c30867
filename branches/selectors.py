from django.contrib.auth.models import AbstractBaseUser

from .models import Branch, StaffProfile


def staff_profile_get(*, user: AbstractBaseUser) -> StaffProfile | None:
    """The user's branch and role; read once per request (the navigation and the view both ask)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_staff_profile_cache"):
        user._staff_profile_cache = StaffProfile.objects.select_related("branch").filter(user=user).first()
    return user._staff_profile_cache


def branches_visible_to(*, user: AbstractBaseUser):
    """Admins (and superusers) see every branch; other staff their own."""
    if user.is_superuser or user.has_perm("branches.change_branch"):
        return Branch.objects.all()
    profile = staff_profile_get(user=user)
    return Branch.objects.filter(pk=profile.branch_id) if profile else Branch.objects.none()
