from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from .models import ADMIN_SITE_ROLES, Branch, Role, StaffProfile
from .roles import CHANNEL_SYSTEM_GROUP

User = get_user_model()


@transaction.atomic
def branch_upsert(*, code: str, name: str, city: str = "", address: str = "") -> Branch:
    branch, _ = Branch.objects.update_or_create(code=code, defaults={"name": name, "city": city, "address": address})
    return branch


@transaction.atomic
def staff_create(*, username: str, password: str, branch: Branch, role: str, first_name: str = "",
                 last_name: str = "", email: str = "") -> AbstractBaseUser:
    """A staff login tied to a branch; the role is both the profile's field and the group."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    user = User.objects.create_user(username=username, password=password, first_name=first_name,
                                    last_name=last_name, email=email)
    StaffProfile.objects.create(user=user, branch=branch, role=role)
    staff_set_role(user=user, role=role)
    return user


@transaction.atomic
def staff_set_role(*, user: AbstractBaseUser, role: str) -> None:
    """The one place a role is set: the profile's field, the role's group (and no other role's), and
    whether the admin site opens (managers read there, admins edit)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    user.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(name=role))
    user.groups.add(Group.objects.get(name=role))
    user.is_staff = role in ADMIN_SITE_ROLES
    user.save(update_fields=["is_staff"])
    StaffProfile.objects.filter(user=user).update(role=role)
    user.__dict__.pop("_staff_profile_cache", None)


@transaction.atomic
def channel_system_create(*, username: str) -> AbstractBaseUser:
    """An API-only login for a channel system: it can ingest transactions and nothing else."""
    user = User.objects.create_user(username=username)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=CHANNEL_SYSTEM_GROUP))
    return user
