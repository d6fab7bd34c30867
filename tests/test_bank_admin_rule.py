"""One is_bank_admin decides every "all branches" rule, on every floor that has one (issue 11 §3): the branches
visible, the scoring dashboards, the campaigns' scope and the access record (moved up from
branches/tests/test_admin_privileges.py: it reads the floors above branches)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from branches.selectors import branches_visible_to, is_bank_admin
from campaigns.selectors import user_scope
from customers import access
from scoring.selectors import sees_every_branch

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.mark.parametrize(
    ("persona", "admin"), [("teller", False), ("manager", False), ("admin_user", True), ("channel_system", False)]
)
def test_one_is_bank_admin_decides_every_all_branches_rule(request, other_branch, persona, admin):
    user = request.getfixturevalue(persona)
    assert is_bank_admin(user) is admin
    assert sees_every_branch(user) is admin
    own = 0 if persona == "channel_system" else 1  # a channel system has no branch
    assert branches_visible_to(user=user).count() == (2 if admin else own)
    assert user_scope(user=user).everything is admin
    if user.has_perm("customers.view_customeraccesslog"):
        assert (access.record_scope(user=user) is None) is admin


def test_a_permission_granted_directly_does_not_make_an_admin(manager, other_branch):
    manager.user_permissions.add(Permission.objects.get(codename="change_branch"))
    manager = User.objects.get(pk=manager.pk)
    assert manager.has_perm("branches.change_branch")
    assert not is_bank_admin(manager)
    assert not sees_every_branch(manager)
    assert access.record_scope(user=manager) == manager.staff_profile.branch_id


def test_a_superuser_made_at_the_command_line_is_a_bank_admin_and_an_inactive_admin_is_not(admin_user):
    root = User.objects.create_superuser(username="root", password="a-long-password-1")
    assert is_bank_admin(root) and user_scope(user=root).everything
    admin_user.is_active = False
    assert not is_bank_admin(admin_user)
