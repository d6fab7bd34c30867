from .selectors import staff_profile_get


def staff(request):
    """The signed-in staff member's branch and role, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"staff_profile": staff_profile_get(user=user)}
