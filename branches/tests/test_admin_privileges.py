"""No privilege escalation through the admin (issue 11 §3): superuser, groups and permissions are not editable
there by anyone; a role set in the admin goes through staff_set_role. That one is_bank_admin decides "admin" on
every floor: tests/test_bank_admin_rule.py."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from branches.models import Role, StaffProfile
from branches.tests.factories import BranchFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def _user_form(user, *, role, branch, **extra):
    profile = StaffProfile.objects.get(user=user)
    return {"username": user.username, "first_name": user.first_name, "last_name": "", "email": "",
            "is_active": "on", "staff_profile-TOTAL_FORMS": "1", "staff_profile-INITIAL_FORMS": "1",
            "staff_profile-MIN_NUM_FORMS": "0", "staff_profile-MAX_NUM_FORMS": "1",
            "staff_profile-0-id": profile.pk, "staff_profile-0-user": user.pk,
            "staff_profile-0-branch": branch.pk, "staff_profile-0-role": role, **extra}


def _escalation():
    return {"is_superuser": "on", "is_staff": "on", "groups": [Group.objects.get(name="admin").pk],
            "user_permissions": [Permission.objects.get(codename="delete_customer").pk]}


@pytest.mark.parametrize("whose", ["own", "a teller's"])
def test_an_admin_cannot_tick_superuser_groups_or_permissions_on_any_account(client_for, admin_user, teller, branch,
                                                                            whose):
    target = admin_user if whose == "own" else teller
    role = Role.ADMIN if whose == "own" else Role.TELLER
    response = client_for(admin_user).post(f"/admin/auth/user/{target.pk}/change/",
                                           _user_form(target, role=role, branch=branch, **_escalation()))
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert not target.is_superuser
    assert list(target.groups.values_list("name", flat=True)) == [role]
    assert not target.user_permissions.exists()
    assert not target.has_perm("customers.delete_customer")


def test_the_user_page_shows_superuser_groups_and_staff_access_read_only(client_for, admin_user, teller):
    form = client_for(admin_user).get(f"/admin/auth/user/{teller.pk}/change/").context["adminform"].form
    assert not {"is_superuser", "groups", "user_permissions", "is_staff"} & set(form.fields)


def test_a_superusers_login_is_not_changed_by_an_admin(client_for, admin_user, branch):
    root = User.objects.create_superuser(username="root", password="a-long-password-1")
    client = client_for(admin_user)
    assert client.post(f"/admin/auth/user/{root.pk}/change/", {"username": "root2"}).status_code == 403
    assert client.post(f"/admin/auth/user/{root.pk}/password/",
                       {"password1": "taken-over-9999", "password2": "taken-over-9999"}).status_code == 403
    root.refresh_from_db()
    assert root.username == "root" and root.check_password("a-long-password-1")


def test_a_teller_created_in_the_admin_as_documented_has_the_tellers_permissions(client_for, admin_user, branch):
    response = client_for(admin_user).post("/admin/auth/user/add/", {
        "username": "li.na", "password1": "a-long-password-1", "password2": "a-long-password-1",
        "usable_password": "true", "staff_profile-TOTAL_FORMS": "1", "staff_profile-INITIAL_FORMS": "0",
        "staff_profile-MIN_NUM_FORMS": "0", "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-branch": branch.pk, "staff_profile-0-role": Role.TELLER})
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="li.na")
    assert list(user.groups.values_list("name", flat=True)) == ["teller"]
    assert user.has_perm("customers.view_customer")
    assert not user.is_staff


def test_a_role_changed_on_the_user_page_leaves_the_old_group_and_opens_the_admin(client_for, admin_user, teller,
                                                                                  branch):
    response = client_for(admin_user).post(f"/admin/auth/user/{teller.pk}/change/",
                                           _user_form(teller, role=Role.MANAGER, branch=branch))
    assert response.status_code == 302
    teller = User.objects.get(pk=teller.pk)
    assert list(teller.groups.values_list("name", flat=True)) == ["manager"]
    assert teller.is_staff and teller.staff_profile.role == Role.MANAGER


def test_a_role_changed_on_the_staff_profile_page_goes_through_the_service(client_for, admin_user, manager):
    other = BranchFactory(code="GZ001", name="广州天河支行")
    profile = manager.staff_profile
    response = client_for(admin_user).post(f"/admin/branches/staffprofile/{profile.pk}/change/",
                                           {"branch": other.pk, "role": Role.TELLER})
    assert response.status_code == 302
    manager = User.objects.get(pk=manager.pk)
    assert list(manager.groups.values_list("name", flat=True)) == ["teller"]
    assert not manager.is_staff
    assert (manager.staff_profile.branch, manager.staff_profile.role) == (other, Role.TELLER)


def test_groups_are_read_only_in_the_admin_even_for_a_superuser(client):
    root = User.objects.create_superuser(username="root", password="a-long-password-1")
    client.force_login(root)
    group = Group.objects.get(name="teller")
    assert client.get("/admin/auth/group/add/").status_code == 403
    response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "teller", "permissions": []})
    assert response.status_code == 403
    assert group.permissions.exists()


def test_managers_lose_the_staff_and_login_pages(client_for, manager):
    client = client_for(manager)
    assert client.get("/admin/branches/staffprofile/").status_code == 403
    assert client.get("/admin/auth/user/").status_code == 403
